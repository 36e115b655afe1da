import { didYouMean, RobofmError, ValidationError } from '@robofm/core';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '@robofm/policy';

/** One dataset of a mixture with its sampling weight. */
export interface DatasetRef {
  path: string;
  weight: number;
}

/** Everything a training run needs; a preset is a named TrainConfig, overridable key by key. */
export interface TrainConfig {
  preset: string;
  /** Architecture (embodiments are filled in from the datasets). */
  model: Omit<ModelConfig, 'embodiments'>;
  /** Comma-separated `dir[:weight]` list; empty = the preset's defaults decided by the caller. */
  datasets: string;
  out: string;
  steps: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  /** Cosine floor as a fraction of `lr`. */
  minLrRatio: number;
  weightDecay: number;
  gradClip: number;
  emaDecay: number;
  seed: number;
  logEvery: number;
  saveEvery: number;
  /** Evaluate through the harness every N steps (0 = never during training). */
  evalEvery: number;
  evalEpisodes: number;
  /** Harness suite(s) for periodic evaluation (`pick_place/arm6,handover/bimanual`). */
  evalSuite: string;
  /** Stop after this many minutes even if `steps` is not reached (0 = no limit). */
  timeLimitMin: number;
  /** Start from this checkpoint's weights (fine-tuning). */
  init: string;
  /** Parts whose weights stay fixed while fine-tuning. */
  freeze: 'none' | 'vision' | 'backbone';
  /** libtorch intra-op threads (OpenBLAS threads come from OPENBLAS_NUM_THREADS). */
  threads: number;
  /** Random crop + brightness jitter on training images. */
  augment: boolean;
  /** Probability of zeroing a training sample's state (forces the cameras to be used). */
  stateDropout: number;
  /** Probability of inserting made-up words into a training sample's instruction (`noiseInstructions`). */
  textNoise: number;
  /** Resume from `out` when it holds a checkpoint. */
  resume: boolean;
  /**
   * Steps of each predicted chunk a `LocalPolicy` of this checkpoint executes before it asks again
   * (receding horizon; saved as `meta.executeHorizon`); 0 = the whole chunk (`model.horizon`).
   */
  executeHorizon: number;
  /**
   * Every batch from one body (drawn by its share of the data), so mixed-body training does not pad
   * every sample to the widest body's cameras; false mixes bodies within a batch.
   */
  bodyBatches: boolean;
}

const BASE: Omit<TrainConfig, 'preset'> = {
  model: { ...DEFAULT_MODEL_CONFIG, embodiments: undefined } as unknown as Omit<ModelConfig, 'embodiments'>,
  datasets: '',
  out: '.robofm/runs/demo',
  steps: 3000,
  batchSize: 32,
  lr: 3e-4,
  warmupSteps: 100,
  minLrRatio: 0.1,
  weightDecay: 1e-4,
  gradClip: 1.0,
  emaDecay: 0.995,
  seed: 0,
  logEvery: 10,
  saveEvery: 500,
  evalEvery: 0,
  evalEpisodes: 20,
  evalSuite: 'pick_place/arm6',
  timeLimitMin: 0,
  init: '',
  freeze: 'none',
  threads: 1,
  augment: true,
  stateDropout: 0,
  textNoise: 0,
  resume: true,
  executeHorizon: 0,
  bodyBatches: true,
};
delete (BASE.model as Partial<ModelConfig>).embodiments;

function preset(
  name: string,
  over: Partial<Omit<TrainConfig, 'model'>>,
  model: Partial<ModelConfig> = {},
): TrainConfig {
  return {
    ...structuredClone(BASE),
    ...over,
    preset: name,
    model: { ...structuredClone(BASE.model), ...model },
  };
}

/**
 * The demo recipe: 96² images (objects on the front camera are a few pixels wide; 64² blurs them
 * away), keypoint tokens, FiLM language conditioning of the stem, the auxiliary "where" task (on
 * when the data records `observation.environment_state`) and its dense form, heatmaps of the named
 * object and destination on keypoint channels 0–1 (when it records `observation.focus_uv`), made-up
 * words in half the instructions (held-out paraphrases bring unseen words), focus keypoint tokens
 * read at 3× sharpness (so they follow the heatmaps' peaks), re-planning every 8 steps (0.4 s at 20 Hz), ~16k steps of batch 32
 * with a slow EMA — about an hour on 2 CPU cores (BENCHMARKS.md, policy).
 */
const DEMO_RUN: Partial<Omit<TrainConfig, 'model'>> = {
  steps: 16000,
  saveEvery: 2000,
  emaDecay: 0.999,
  timeLimitMin: 60,
  textNoise: 0.5,
  executeHorizon: 8,
};
const DEMO_MODEL: Partial<ModelConfig> = {
  imageSize: 96,
  visionFilm: true,
  auxWeight: 1,
  focusWeight: 1,
  focusSharpness: 3,
};

/** The named presets. `demo` trains in an hour on 2 CPU cores; `quick` in about two minutes. */
export const PRESETS: Record<string, TrainConfig> = {
  demo: preset('demo', { ...DEMO_RUN, out: '.robofm/runs/demo' }, DEMO_MODEL),
  'demo-token': preset(
    'demo-token',
    { ...DEMO_RUN, out: '.robofm/runs/demo-token' },
    { ...DEMO_MODEL, kind: 'token' },
  ),
  'demo-embodiment-token': preset(
    'demo-embodiment-token',
    { ...DEMO_RUN, out: '.robofm/runs/demo-embodiment-token' },
    { ...DEMO_MODEL, embodimentToken: true },
  ),
  quick: preset('quick', { out: '.robofm/runs/quick', steps: 400, warmupSteps: 40, saveEvery: 200 }),
  tiny: preset(
    'tiny',
    {
      out: '.robofm/runs/tiny',
      steps: 200,
      batchSize: 8,
      warmupSteps: 10,
      saveEvery: 100,
      logEvery: 5,
      augment: false,
    },
    {
      imageSize: 32,
      visionChannels: [8, 16],
      visionGrid: 2,
      dModel: 32,
      backboneLayers: 1,
      heads: 2,
      expertDim: 32,
      expertLayers: 1,
      expertHeads: 2,
      maxTextTokens: 12,
      horizon: 4,
    },
  ),
  base: preset(
    'base',
    { out: '.robofm/runs/base', steps: 20000, batchSize: 64 },
    {
      dModel: 256,
      backboneLayers: 6,
      heads: 8,
      expertDim: 192,
      expertLayers: 6,
      visionChannels: [32, 64, 128],
    },
  ),
};

/** Looks a preset up; an unknown name answers "did you mean …". Returns a deep copy. */
export function getPreset(name: string): TrainConfig {
  const p = PRESETS[name];
  if (!p) {
    const near = didYouMean(name, Object.keys(PRESETS));
    throw new RobofmError(
      'unknown_preset',
      `unknown preset ${JSON.stringify(name)}${near ? `; did you mean ${JSON.stringify(near)}?` : ''} (presets: ${Object.keys(PRESETS).join(', ')})`,
      { status: 400 },
    );
  }
  return structuredClone(p);
}

/**
 * Applies `--key=value` overrides (`lr=1e-3`, `model.dModel=64`), type-checked against the
 * preset's value: numbers must parse, booleans are true/false, enums must be one of their values.
 */
export function applyOverrides(cfg: TrainConfig, overrides: Record<string, string>): TrainConfig {
  const out = structuredClone(cfg);
  for (const [key, raw] of Object.entries(overrides)) {
    const path = key.split('.');
    let obj = out as unknown as Record<string, unknown>;
    for (const [i, part] of path.entries()) {
      if (!(part in obj)) {
        const near = didYouMean(part, Object.keys(obj));
        throw new ValidationError(
          `--${key}`,
          raw,
          `a known setting${near ? ` (did you mean --${[...path.slice(0, i), near].join('.')}?)` : ''}; known: ${Object.keys(obj).join(', ')}`,
        );
      }
      if (i < path.length - 1) {
        const next = obj[part];
        if (typeof next !== 'object' || next === null || Array.isArray(next))
          throw new ValidationError(`--${key}`, raw, `--${path.slice(0, i + 1).join('.')} is not a group`);
        obj = next as Record<string, unknown>;
        continue;
      }
      obj[part] = parseLike(key, obj[part], raw);
    }
  }
  return out;
}

const ENUMS: Record<string, readonly string[]> = {
  freeze: ['none', 'vision', 'backbone'],
  'model.kind': ['flow', 'token'],
  'model.normalization': ['zscore', 'quantile'],
};

const FLOAT_KEYS = new Set([
  'lr',
  'minLrRatio',
  'weightDecay',
  'gradClip',
  'emaDecay',
  'timeLimitMin',
  'stateDropout',
  'textNoise',
  'model.auxWeight',
  'model.focusWeight',
  'model.focusSharpness',
  'model.eeWeight',
]);

function parseLike(key: string, current: unknown, raw: string): unknown {
  const field = `--${key}`;
  if (ENUMS[key] && !ENUMS[key].includes(raw))
    throw new ValidationError(field, raw, `one of ${ENUMS[key].join(', ')}`);
  if (typeof current === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new ValidationError(field, raw, 'a number');
    if (!FLOAT_KEYS.has(key) && !Number.isInteger(n)) throw new ValidationError(field, raw, 'an integer');
    if (n < 0) throw new ValidationError(field, raw, 'a non-negative number');
    return n;
  }
  if (typeof current === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new ValidationError(field, raw, 'true or false');
    return raw === 'true';
  }
  if (Array.isArray(current)) {
    const parts = raw.split(',').map((s) => Number(s.trim()));
    if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n <= 0))
      throw new ValidationError(field, raw, 'a comma-separated list of positive integers');
    return parts;
  }
  return raw;
}

/** Parses `dir[:weight],dir2[:weight]`. */
export function parseDatasets(spec: string): DatasetRef[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(.*?)(?::([0-9.]+))?$/.exec(s)!;
      const weight = m[2] === undefined ? 1 : Number(m[2]);
      if (!(weight > 0)) throw new ValidationError('--datasets', s, 'dir[:weight] with a positive weight');
      return { path: m[1], weight };
    });
}
