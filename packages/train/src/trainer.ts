import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { type Logger, ProgressBar, ValidationError, logger as rootLogger } from '@robofm/core';
import {
  BpeTokenizer,
  CHECKPOINT_FILES,
  type CheckpointConfig,
  type ModelConfig,
  type NormStats,
  Processor,
  Rng,
  type VlaModel,
  corpusWith,
  createModel,
  loadCheckpoint,
  readCheckpointConfig,
  saveCheckpoint,
  toTensorBatch,
  writeLatest,
} from '@robofm/policy';
import {
  Generator,
  type Tensor,
  clipGradNorm,
  loadSafetensors,
  manualSeed,
  noGrad,
  optim,
  scope,
  setNumThreads,
} from '@robofm/torch';
import { augmentBatch, dropState, noiseInstructions } from './augment.ts';
import { Ema } from './ema.ts';
import type { SampleSource } from './episodes.ts';
import { lossCurvePng } from './loss-curve.ts';
import type { TrainConfig } from './presets.ts';
import { warmupCosine } from './schedule.ts';

export interface TrainMetrics {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  samplesPerS: number;
  elapsedS: number;
  /** The weighted auxiliary loss (included in `loss`), when the model has the auxiliary task. */
  auxLoss?: number;
}

export interface TrainResult {
  runDir: string;
  checkpointDir: string;
  steps: number;
  finalLoss: number;
  /** Losses of the steps run in this call, in order. */
  losses: number[];
  wallS: number;
  samplesPerS: number;
}

export interface TrainOptions {
  config: TrainConfig;
  source: SampleSource;
  log?: Logger;
  /** Show a progress bar (default true). */
  progress?: boolean;
  /** Stop (after saving) once this many steps ran in this call — for tests of kill/resume. */
  stopAfter?: number;
  /** Called after every checkpoint is written. */
  onCheckpoint?: (dir: string, step: number) => void | Promise<void>;
  /**
   * Periodic evaluation (every `evalEvery` steps, at a checkpoint): started and not awaited, so it
   * runs beside training (the CLI runs the harness in a child process); results go to eval.jsonl.
   */
  evaluate?: (dir: string, step: number) => Promise<Record<string, unknown>>;
}

const stepName = (s: number) => `step-${String(s).padStart(7, '0')}`;

/**
 * Trains a VLA: AdamW, warmup + cosine, gradient clipping, EMA; checkpoints as directories
 * written atomically (`<out>/step-XXXXXXX/`, `<out>/latest`); exact resume from `latest`
 * (weights, optimizer moments, EMA and the step-seeded data/noise streams make the loss sequence
 * identical); metrics as JSONL and a PNG loss curve.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const cfg = o.config;
  const log = (o.log ?? rootLogger).child({ run: cfg.out });
  if (!(cfg.stateDropout >= 0 && cfg.stateDropout <= 1))
    throw new ValidationError('stateDropout', cfg.stateDropout, 'a probability in [0, 1]');
  if (!(cfg.textNoise >= 0 && cfg.textNoise <= 1))
    throw new ValidationError('textNoise', cfg.textNoise, 'a probability in [0, 1]');
  if (
    !(
      Number.isInteger(cfg.executeHorizon) &&
      cfg.executeHorizon >= 0 &&
      cfg.executeHorizon <= cfg.model.horizon
    )
  )
    throw new ValidationError(
      'executeHorizon',
      cfg.executeHorizon,
      `an integer in [0, ${cfg.model.horizon}] (model.horizon; 0 = the whole chunk)`,
    );
  setNumThreads(cfg.threads);
  mkdirSync(cfg.out, { recursive: true });
  writeFileSync(join(cfg.out, 'train_config.json'), `${JSON.stringify(cfg, null, 2)}\n`);

  const resumeDir = cfg.resume ? latestCheckpoint(cfg.out) : undefined;
  let model: VlaModel;
  let modelCfg: ModelConfig;
  let tokenizer: BpeTokenizer;
  let normStats: NormStats;
  let startStep = 0;
  if (resumeDir) {
    const ck = readCheckpointConfig(resumeDir);
    modelCfg = ck.model;
    tokenizer = BpeTokenizer.load(join(resumeDir, CHECKPOINT_FILES.tokenizer));
    normStats = JSON.parse(readFileSync(join(resumeDir, CHECKPOINT_FILES.normStats), 'utf8')) as NormStats;
    model = createModel(modelCfg);
    startStep = ck.step;
    log.info('resuming', { from: resumeDir, step: startStep });
  } else {
    // The auxiliary task is on when it has a weight and the data has environment state to predict.
    const auxDim = cfg.model.auxWeight > 0 ? (o.source.envDim ?? 0) : 0;
    if (cfg.model.auxWeight > 0 && !auxDim)
      log.warn('model.auxWeight > 0 but the data has no observation.environment_state: no auxiliary task');
    // Likewise the focus heatmaps, with image-space labels (`observation.focus_uv`).
    const focusWeight = o.source.hasFocus ? cfg.model.focusWeight : 0;
    if (cfg.model.focusWeight > 0 && !focusWeight)
      log.warn('model.focusWeight > 0 but the data has no observation.focus_uv: no focus heatmaps');
    // Learned kinematics when asked for and the data records where the end effectors are.
    const eeDim = cfg.model.eeWeight > 0 ? (o.source.eeDim ?? 0) : 0;
    if (cfg.model.eeWeight > 0 && !eeDim)
      log.warn('model.eeWeight > 0 but the data has no observation.ee_pos: no learned kinematics');
    if (cfg.model.geometryTeacher && !eeDim)
      log.warn(
        'model.geometryTeacher needs learned kinematics (model.eeWeight > 0 and ee_pos): no geometry token',
      );
    // The peak read-out reads the heatmaps and learns the auxiliary targets: it needs both.
    const peakReadout = cfg.model.peakReadout && auxDim > 0 && focusWeight > 0;
    if (cfg.model.peakReadout && !peakReadout)
      log.warn('model.peakReadout needs the auxiliary task and the focus heatmaps: no peak read-out');
    const castReadout = cfg.model.castReadout && auxDim > 0 && focusWeight > 0;
    if (cfg.model.castReadout && !castReadout)
      log.warn('model.castReadout needs the auxiliary task and the focus heatmaps: no cast read-out');
    modelCfg = {
      ...cfg.model,
      auxDim,
      focusWeight,
      eeDim,
      peakReadout,
      castReadout,
      embodiments: o.source.embodiments,
    } as ModelConfig;
    tokenizer = BpeTokenizer.train(corpusWith(o.source.tasks), modelCfg.vocabSize);
    normStats = o.source.normStats(modelCfg);
    manualSeed(cfg.seed);
    model = createModel(modelCfg);
    if (cfg.init) initFrom(model, cfg.init, log);
  }
  const processor = new Processor(modelCfg, normStats, tokenizer);
  const named = [...model.namedParameters()] as Array<[string, Tensor]>;
  const frozen = (name: string) =>
    (cfg.freeze === 'vision' && name.startsWith('backbone.vision.')) ||
    (cfg.freeze === 'backbone' && name.startsWith('backbone.'));
  const trainable = named.filter(([n]) => !frozen(n));
  for (const [n, p] of named) if (frozen(n)) p.requiresGrad = false;
  const opt = new optim.AdamW(
    trainable.map(([, p]) => p),
    { lr: cfg.lr, betas: [0.9, 0.95], eps: 1e-8, weightDecay: cfg.weightDecay },
  );
  const ema = new Ema(named, cfg.emaDecay);
  if (resumeDir) restoreTrainState(resumeDir, model, opt, ema);

  const sched = warmupCosine({
    warmup: cfg.warmupSteps,
    total: cfg.steps,
    peak: cfg.lr,
    floor: cfg.lr * cfg.minLrRatio,
  });
  const metricsPath = join(cfg.out, 'metrics.jsonl');
  const history = truncateMetrics(metricsPath, startStep);
  const bar = new ProgressBar({
    total: cfg.steps,
    label: `train ${cfg.preset}`,
    unit: 'step',
    enabled: o.progress ?? true,
  });
  bar.tick(startStep);
  const t0 = performance.now();
  const deadline = cfg.timeLimitMin > 0 ? t0 + cfg.timeLimitMin * 60_000 : Number.POSITIVE_INFINITY;
  const losses: number[] = [];
  let lastCkpt = resumeDir ?? '';
  let step = startStep;
  let samples = 0;
  model.train();
  const save = async () => {
    lastCkpt = writeCheckpoint(cfg, step, model, modelCfg, normStats, tokenizer, opt, ema, o.source);
    writeFileSync(join(cfg.out, 'loss.png'), lossCurvePng(history.steps, history.losses));
    await o.onCheckpoint?.(lastCkpt, step);
    if (o.evaluate && cfg.evalEvery > 0 && step % cfg.evalEvery === 0) {
      const [dir, at, min] = [lastCkpt, step, (performance.now() - t0) / 60000];
      pending.push(
        o
          .evaluate(dir, at)
          .then((r) =>
            appendFileSync(
              join(cfg.out, 'eval.jsonl'),
              `${JSON.stringify({ step: at, trainMinutes: min, ...r })}\n`,
            ),
          )
          .catch((e) => log.warn('periodic evaluation failed', { step: at, error: String(e) })),
      );
    }
  };
  const pending: Promise<void>[] = [];
  while (step < cfg.steps) {
    // With a time limit the cosine follows whichever runs out first, steps or minutes, so a run
    // cut by the clock still ends at the floor learning rate (such runs resume on step count only).
    const timeFrac = cfg.timeLimitMin > 0 ? (performance.now() - t0) / (cfg.timeLimitMin * 60_000) : 0;
    const lr = sched(Math.max(step, Math.round(timeFrac * cfg.steps)));
    opt.lr = lr;
    const raw = o.source.batch(step, cfg.batchSize, cfg.seed, modelCfg.horizon, cfg.bodyBatches);
    noiseInstructions(raw, cfg.textNoise, Rng.derive(cfg.seed, step, 31));
    const arr = processor.collate(raw);
    if (cfg.augment) augmentBatch(arr, modelCfg.imageSize, Rng.derive(cfg.seed, step, 23));
    dropState(arr, modelCfg.maxStateDim, cfg.stateDropout, Rng.derive(cfg.seed, step, 29));
    const { loss, auxLoss, gradNorm } = scope(() => {
      const tb = toTensorBatch(arr, modelCfg);
      const l = model.computeLoss(
        tb,
        Rng.derive(cfg.seed, step, 5),
        new Generator(cfg.seed * 1_000_003 + step),
      );
      l.backward();
      const gn = clipGradNorm(
        trainable.map(([, p]) => p),
        cfg.gradClip,
      );
      opt.step();
      return {
        loss: l.item(),
        auxLoss: model.lastAuxLoss,
        gradNorm: typeof gn === 'number' ? gn : (gn as Tensor).item(),
      };
    });
    opt.zeroGrad();
    ema.update(named);
    step++;
    samples += cfg.batchSize;
    losses.push(loss);
    const elapsedS = (performance.now() - t0) / 1000;
    const rec: TrainMetrics = {
      step,
      loss,
      lr,
      gradNorm,
      samplesPerS: samples / Math.max(1e-9, elapsedS),
      elapsedS,
      ...(auxLoss !== undefined ? { auxLoss } : {}),
    };
    appendFileSync(metricsPath, `${JSON.stringify(rec)}\n`);
    history.steps.push(step);
    history.losses.push(loss);
    bar.tick(
      1,
      `loss=${loss.toFixed(4)}${auxLoss !== undefined ? ` aux=${auxLoss.toFixed(3)}` : ''} lr=${lr.toExponential(2)} ${rec.samplesPerS.toFixed(1)} samples/s`,
    );
    if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step}: loss=${loss}`);
    if (step % cfg.logEvery === 0) log.debug('step', { ...rec });
    const stopNow = o.stopAfter !== undefined && losses.length >= o.stopAfter;
    if (step % cfg.saveEvery === 0 || step === cfg.steps || stopNow || performance.now() > deadline)
      await save();
    if (stopNow) break;
    if (performance.now() > deadline) {
      log.info('time limit reached', { step, minutes: cfg.timeLimitMin });
      break;
    }
    await yieldToLoop(); // lets the allocator settle (see notes/libtorch-binding.md)
  }
  if (!lastCkpt || readCheckpointConfig(lastCkpt).step !== step) await save();
  bar.finish(`loss=${losses.at(-1)?.toFixed(4) ?? '-'}`);
  await Promise.all(pending);
  const wallS = (performance.now() - t0) / 1000;
  ema.dispose();
  for (const [, p] of named) p.dispose();
  return {
    runDir: cfg.out,
    checkpointDir: lastCkpt,
    steps: step,
    finalLoss: losses.at(-1) ?? Number.NaN,
    losses,
    wallS,
    samplesPerS: samples / Math.max(1e-9, wallS),
  };
}

/** The newest complete checkpoint of a run directory, if any. */
export function latestCheckpoint(runDir: string): string | undefined {
  const latest = join(runDir, 'latest');
  if (!existsSync(latest)) return undefined;
  const dir = join(runDir, readFileSync(latest, 'utf8').trim());
  return existsSync(join(dir, CHECKPOINT_FILES.trainState)) ? dir : undefined;
}

function writeCheckpoint(
  cfg: TrainConfig,
  step: number,
  model: VlaModel,
  modelCfg: ModelConfig,
  normStats: NormStats,
  tokenizer: BpeTokenizer,
  opt: optim.AdamW,
  ema: Ema,
  source: SampleSource,
): string {
  const dir = join(cfg.out, stepName(step));
  const trainState: Record<string, Tensor> = {};
  for (const [n, p] of model.namedParameters() as Iterable<[string, Tensor]>) trainState[`param.${n}`] = p;
  const optState = flattenOptimizerState(opt);
  Object.assign(trainState, optState.tensors);
  const config: CheckpointConfig = {
    format: 'robofm-vla',
    version: 1,
    model: modelCfg,
    step,
    meta: {
      id: `robofm-${cfg.preset}-${step}`,
      preset: cfg.preset,
      datasets: cfg.datasets,
      frames: source.frames,
      savedAt: new Date().toISOString(),
      ...(cfg.executeHorizon > 0 ? { executeHorizon: cfg.executeHorizon } : {}),
    },
  };
  saveCheckpoint(dir, {
    weights: ema.weights(),
    config,
    normStats,
    tokenizer,
    trainState,
    trainStateMeta: { step: String(step), emaUpdates: String(ema.updates), optim: optState.meta },
  });
  writeLatest(cfg.out, stepName(step));
  return dir;
}

/** Optimizer state → flat `optim.*` tensors + JSON of the non-tensor parts. */
function flattenOptimizerState(opt: optim.AdamW): { tensors: Record<string, Tensor>; meta: string } {
  const sd = opt.stateDict() as unknown;
  const tensors: Record<string, Tensor> = {};
  const walk = (v: unknown, path: string): unknown => {
    if (v && typeof v === 'object' && 'dispose' in (v as object) && 'shape' in (v as object)) {
      tensors[`optim.${path}`] = v as Tensor;
      return { __tensor: `optim.${path}` };
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as object).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]),
      );
    return v;
  };
  const meta = JSON.stringify(walk(sd, ''));
  return { tensors, meta };
}

function restoreTrainState(dir: string, model: VlaModel, opt: optim.AdamW, ema: Ema): void {
  const { tensors, metadata } = loadSafetensors(join(dir, CHECKPOINT_FILES.trainState));
  const params: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith('param.')) params[k.slice(6)] = t;
  model.loadStateDict(params, { strict: true });
  const unflatten = (v: unknown): unknown => {
    if (v && typeof v === 'object' && '__tensor' in (v as object))
      return tensors[(v as { __tensor: string }).__tensor];
    if (Array.isArray(v)) return v.map(unflatten);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, unflatten(x)]));
    return v;
  };
  opt.loadStateDict(unflatten(JSON.parse(metadata.optim ?? '{}')) as never);
  const { tensors: emaW } = loadSafetensors(join(dir, CHECKPOINT_FILES.model));
  ema.load(emaW, Number(metadata.emaUpdates ?? 0));
  for (const t of Object.values(emaW)) t.dispose();
  for (const t of Object.values(tensors)) t.dispose();
}

/** Fine-tuning: copies every weight whose name and shape match from a checkpoint. */
function initFrom(model: VlaModel, dir: string, log: Logger): void {
  const src = loadCheckpoint(dir);
  const theirs = new Map(src.model.namedParameters() as Iterable<[string, Tensor]>);
  let copied = 0;
  let skipped = 0;
  const sd: Record<string, Tensor> = {};
  for (const [name, p] of model.namedParameters() as Iterable<[string, Tensor]>) {
    const t = theirs.get(name);
    if (t && t.shape.join('x') === p.shape.join('x')) {
      sd[name] = t;
      copied++;
    } else {
      sd[name] = p;
      skipped++;
    }
  }
  noGrad(() => model.loadStateDict(sd, { strict: true }));
  for (const t of theirs.values()) t.dispose();
  log.info('initialized from checkpoint', { from: src.dir, copied, skipped });
}

function truncateMetrics(path: string, upTo: number): { steps: number[]; losses: number[] } {
  const steps: number[] = [];
  const losses: number[] = [];
  if (!existsSync(path)) return { steps, losses };
  const kept: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as TrainMetrics;
      if (r.step <= upTo) {
        kept.push(line);
        steps.push(r.step);
        losses.push(r.loss);
      }
    } catch {
      // a torn last line after kill -9 is dropped
    }
  }
  writeFileSync(path, kept.length ? `${kept.join('\n')}\n` : '');
  return { steps, losses };
}
