/**
 * Normalization as input/output pairs: pure math on typed arrays, no I/O, safe to import on a robot
 * or in a policy server (`@robofm/data/norm`). `unnormalize(normalize(x)) === x` up to float32
 * rounding for every mode.
 */
export type NormMode = 'zscore' | 'quantile' | 'none';

/** Statistics of one feature (vectors over its dimensions), as in LeRobot stats.json. */
export interface NormStat {
  mean: number[];
  std: number[];
  q01: number[];
  q99: number[];
  min?: number[];
  max?: number[];
}

/** feature key (`observation.state`, `action`) → stats, for one embodiment. */
export type EmbodimentNormStats = Record<string, NormStat>;
/** embodiment name → its stats. This is what a checkpoint's `norm_stats.json` holds. */
export type NormStatsTable = Record<string, EmbodimentNormStats>;

/**
 * Smallest scale a dimension is divided by (robot units: rad, m): a joint that barely moves in the
 * data would otherwise turn ordinary deviations into huge values. `@robofm/policy`'s normalizeVector
 * calls these functions, so batches from this loader and the policy's inverse agree by construction.
 */
export const NORM_EPS = 1e-2;

function scaleShift(stat: NormStat, mode: NormMode, j: number): [number, number] {
  if (mode === 'zscore') return [Math.max(stat.std[j], NORM_EPS), stat.mean[j]];
  if (mode === 'quantile') {
    // y = 2 (x - q01) / (q99 - q01) - 1  ⇔  y = (x - center) / half
    const half = Math.max((stat.q99[j] - stat.q01[j]) / 2, NORM_EPS);
    return [half, (stat.q99[j] + stat.q01[j]) / 2];
  }
  return [1, 0];
}

function checkDims(x: ArrayLike<number>, stat: NormStat, dim: number, what: string): void {
  if (stat.mean.length < dim || stat.std.length < dim || stat.q01.length < dim || stat.q99.length < dim)
    throw new RangeError(`${what}: stats cover ${stat.mean.length} dims, data has ${dim}`);
  if (x.length % dim !== 0)
    throw new RangeError(`${what}: length ${x.length} is not a multiple of dim ${dim}`);
}

/**
 * Normalizes rows of `dim` values (x is [..., dim], row-major). `dim` defaults to the stats width.
 * Writes into `out` when given (may be `x` itself).
 */
export function normalize(
  x: ArrayLike<number>,
  stat: NormStat,
  mode: NormMode,
  dim = stat.mean.length,
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  checkDims(x, stat, dim, 'normalize');
  const sc = Array.from({ length: dim }, (_, j) => scaleShift(stat, mode, j));
  for (let i = 0; i < x.length; i++) {
    const [s, c] = sc[i % dim];
    out[i] = (x[i] - c) / s;
  }
  return out;
}

/** Exact inverse of `normalize` for the same stats and mode. */
export function unnormalize(
  y: ArrayLike<number>,
  stat: NormStat,
  mode: NormMode,
  dim = stat.mean.length,
  out: Float32Array = new Float32Array(y.length),
): Float32Array {
  checkDims(y, stat, dim, 'unnormalize');
  const sc = Array.from({ length: dim }, (_, j) => scaleShift(stat, mode, j));
  for (let i = 0; i < y.length; i++) {
    const [s, c] = sc[i % dim];
    out[i] = y[i] * s + c;
  }
  return out;
}

/** Pads rows of `dim` values to `width` with zeros: returns [..., width] and the dim mask [width]. */
export function padRows(
  x: ArrayLike<number>,
  dim: number,
  width: number,
): { data: Float32Array; mask: Uint8Array } {
  if (dim > width) throw new RangeError(`padRows: dim ${dim} exceeds pad width ${width}`);
  const rows = x.length / dim;
  const data = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) data[r * width + j] = x[r * dim + j];
  const mask = new Uint8Array(width);
  mask.fill(1, 0, dim);
  return { data, mask };
}

/** Inverse of `padRows`: keeps the first `dim` of every `width` values. */
export function unpadRows(x: ArrayLike<number>, dim: number, width: number): Float32Array {
  const rows = x.length / width;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) out[r * dim + j] = x[r * width + j];
  return out;
}

/**
 * The inference-side output transform: a model's padded, normalized action chunk [H, width] →
 * the robot's actions [H, dim] in physical units.
 */
export function actionsFromModel(
  y: ArrayLike<number>,
  stats: EmbodimentNormStats,
  mode: NormMode,
  dim: number,
  width: number,
  key = 'action',
): Float32Array {
  const s = stats[key];
  if (!s)
    throw new RangeError(`actionsFromModel: no stats for '${key}' (have ${Object.keys(stats).join(', ')})`);
  return unnormalize(unpadRows(y, dim, width), s, mode, dim);
}

/** The inference-side input transform for state: physical [dim] → normalized, padded [width] + mask. */
export function stateToModel(
  x: ArrayLike<number>,
  stats: EmbodimentNormStats,
  mode: NormMode,
  width: number,
  key = 'observation.state',
): { data: Float32Array; mask: Uint8Array } {
  const s = stats[key];
  if (!s) throw new RangeError(`stateToModel: no stats for '${key}' (have ${Object.keys(stats).join(', ')})`);
  return padRows(normalize(x, s, mode, x.length), x.length, width);
}

/** The input/output pair a policy applies around its model for one embodiment. */
export interface PolicyTransforms {
  readonly mode: NormMode;
  readonly width: number;
  /** Robot state (physical units, [dim]) → model input: normalized, padded [width] + dim mask. */
  state(x: ArrayLike<number>): { data: Float32Array; mask: Uint8Array };
  /** Model output (normalized, padded [H, width]) → robot actions [H, dim] in physical units. */
  actions(y: ArrayLike<number>, dim: number): Float32Array;
}

export function policyTransforms(stats: EmbodimentNormStats, mode: NormMode, width = 32): PolicyTransforms {
  return {
    mode,
    width,
    state: (x) => stateToModel(x, stats, mode, width),
    actions: (y, dim) => actionsFromModel(y, stats, mode, dim, width),
  };
}

/** The same table in `@robofm/policy`'s norm_stats.json shape: `{ [embodiment]: { state, action } }`. */
export function toPolicyNormStats(
  table: NormStatsTable,
): Record<string, { state: NormStat; action: NormStat }> {
  const out: Record<string, { state: NormStat; action: NormStat }> = {};
  for (const [emb, s] of Object.entries(table)) {
    if (!s['observation.state'] || !s.action)
      throw new RangeError(`toPolicyNormStats: ${emb} lacks observation.state or action stats`);
    out[emb] = { state: s['observation.state'], action: s.action };
  }
  return out;
}
