import {
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RobofmError, ValidationError } from '@robofm/core';
import { type Tensor, loadSafetensors, saveSafetensors } from '@robofm/torch';
import { type ModelConfig, validateModelConfig } from './config.ts';
import { FlowVla } from './flow-vla.ts';
import { type NormStats, validateNormStats } from './normalize.ts';
import { BpeTokenizer } from './tokenizer.ts';
import { TokenVla } from './token-vla.ts';

export type VlaModel = FlowVla | TokenVla;

export function createModel(config: ModelConfig): VlaModel {
  validateModelConfig(config);
  return config.kind === 'token' ? new TokenVla(config) : new FlowVla(config);
}

/** `config.json` of a checkpoint. */
export interface CheckpointConfig {
  format: 'robofm-vla';
  version: 1;
  model: ModelConfig;
  /** Training step the weights come from. */
  step: number;
  /** Free-form facts: preset, datasets, wall time, train config... */
  meta: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  dir: string;
  config: CheckpointConfig;
  model: VlaModel;
  normStats: NormStats;
  tokenizer: BpeTokenizer;
}

export const CHECKPOINT_FILES = {
  model: 'model.safetensors',
  config: 'config.json',
  normStats: 'norm_stats.json',
  tokenizer: 'tokenizer.json',
  trainState: 'train_state.safetensors',
} as const;

/** The checkpoint shipped in the repo (`--policy demo`). */
export function demoCheckpointDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', 'checkpoints', 'demo');
}

/**
 * A run directory holds `step-XXXXXXX/` checkpoints and a `latest` file naming the newest; a
 * checkpoint directory holds `config.json`. Accepts either (and `demo`).
 */
export function resolveCheckpointDir(dir: string): string {
  if (dir === 'demo') dir = demoCheckpointDir();
  if (existsSync(join(dir, CHECKPOINT_FILES.config))) return dir;
  const latest = join(dir, 'latest');
  if (existsSync(latest)) {
    const name = readFileSync(latest, 'utf8').trim();
    const sub = join(dir, name);
    if (existsSync(join(sub, CHECKPOINT_FILES.config))) return sub;
  }
  throw new ValidationError(
    'checkpoint',
    dir,
    `a checkpoint directory with ${CHECKPOINT_FILES.config} (or a run directory with a 'latest' file)`,
    { code: 'checkpoint_not_found' },
  );
}

export interface SaveCheckpointOptions {
  /** Weights used for inference (EMA weights when training with EMA). */
  weights: Record<string, Tensor>;
  config: CheckpointConfig;
  normStats: NormStats;
  tokenizer: BpeTokenizer;
  /** Extra tensors for exact resume (raw weights, optimizer moments). */
  trainState?: Record<string, Tensor>;
  trainStateMeta?: Record<string, string>;
}

/**
 * Writes a checkpoint directory atomically: everything goes to `<dir>.tmp-<pid>` (each file
 * fsynced), then one rename makes it visible. A kill at any point leaves either the old
 * directory or the complete new one.
 */
export function saveCheckpoint(dir: string, o: SaveCheckpointOptions): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  saveSafetensors(join(tmp, CHECKPOINT_FILES.model), o.weights, { format: 'pt' });
  writeFileSync(join(tmp, CHECKPOINT_FILES.config), `${JSON.stringify(o.config, null, 2)}\n`);
  writeFileSync(join(tmp, CHECKPOINT_FILES.normStats), `${JSON.stringify(o.normStats)}\n`);
  o.tokenizer.save(join(tmp, CHECKPOINT_FILES.tokenizer));
  if (o.trainState)
    saveSafetensors(join(tmp, CHECKPOINT_FILES.trainState), o.trainState, o.trainStateMeta ?? {});
  for (const f of Object.values(CHECKPOINT_FILES)) fsyncPath(join(tmp, f));
  fsyncPath(tmp);
  if (existsSync(dir)) {
    const old = `${dir}.old-${process.pid}`;
    renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } else renameSync(tmp, dir);
  fsyncPath(dirname(dir));
}

/** Atomically points `<runDir>/latest` at a checkpoint subdirectory name. */
export function writeLatest(runDir: string, name: string): void {
  const tmp = join(runDir, `latest.tmp-${process.pid}`);
  writeFileSync(tmp, `${name}\n`);
  fsyncPath(tmp);
  renameSync(tmp, join(runDir, 'latest'));
  fsyncPath(runDir);
}

function fsyncPath(p: string): void {
  if (!existsSync(p)) return;
  let fd: number | undefined;
  try {
    fd = openSync(p, 'r');
    fsyncSync(fd);
  } catch {
    // directories cannot be fsynced on every platform; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function readCheckpointConfig(dir: string): CheckpointConfig {
  const path = join(dir, CHECKPOINT_FILES.config);
  let cfg: CheckpointConfig;
  try {
    cfg = JSON.parse(readFileSync(path, 'utf8')) as CheckpointConfig;
  } catch (e) {
    throw new RobofmError('checkpoint_invalid', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (cfg?.format !== 'robofm-vla')
    throw new ValidationError(`${path}.format`, cfg?.format, "'robofm-vla'", { code: 'checkpoint_invalid' });
  // Checkpoints written before keypoint tokens / FiLM existed have neither …
  if (cfg.model && cfg.model.visionKeypoints === undefined) cfg.model.visionKeypoints = 0;
  if (cfg.model && cfg.model.visionFilm === undefined) cfg.model.visionFilm = false;
  // … and before the auxiliary task.
  if (cfg.model && cfg.model.auxDim === undefined) cfg.model.auxDim = 0;
  if (cfg.model && cfg.model.auxWeight === undefined) cfg.model.auxWeight = 0;
  if (cfg.model && cfg.model.focusWeight === undefined) cfg.model.focusWeight = 0;
  if (cfg.model && cfg.model.focusSharpness === undefined) cfg.model.focusSharpness = 1;
  // … and before learned kinematics.
  if (cfg.model && cfg.model.eeDim === undefined) cfg.model.eeDim = 0;
  if (cfg.model && cfg.model.eeWeight === undefined) cfg.model.eeWeight = 0;
  // … and before the peak read-out.
  if (cfg.model && cfg.model.peakReadout === undefined) cfg.model.peakReadout = false;
  if (cfg.model && cfg.model.geometryTeacher === undefined) cfg.model.geometryTeacher = false;
  // … and before finer keypoint maps and the cast read-out.
  if (cfg.model && cfg.model.keypointLevels === undefined) cfg.model.keypointLevels = 1;
  if (cfg.model && cfg.model.castReadout === undefined) cfg.model.castReadout = false;
  validateModelConfig(cfg.model);
  return cfg;
}

/** Loads a checkpoint (model in eval mode, weights from model.safetensors). */
export function loadCheckpoint(dirArg: string): LoadedCheckpoint {
  const dir = resolveCheckpointDir(dirArg);
  const config = readCheckpointConfig(dir);
  const normStats = validateNormStats(
    JSON.parse(readFileSync(join(dir, CHECKPOINT_FILES.normStats), 'utf8')) as NormStats,
    config.model.embodiments,
  );
  const tokenizer = BpeTokenizer.load(join(dir, CHECKPOINT_FILES.tokenizer));
  const model = createModel(config.model);
  const { tensors } = loadSafetensors(join(dir, CHECKPOINT_FILES.model));
  model.loadStateDict(tensors, { strict: true });
  for (const t of Object.values(tensors)) t.dispose();
  model.eval();
  return { dir, config, model, normStats, tokenizer };
}
