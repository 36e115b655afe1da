import { ValidationError } from '@robofm/core';
import { NORM_EPS, type NormStat, normalize, unnormalize } from '@robofm/data/norm';

/** Statistics of one vector feature (per dimension). */
export interface FeatureStats {
  mean: number[];
  std: number[];
  min?: number[];
  max?: number[];
  q01?: number[];
  q99?: number[];
}

/**
 * `norm_stats.json`: per embodiment, stats of the state and action vectors (unpadded widths), and
 * of the privileged environment state when the model was trained with the auxiliary task.
 */
export type NormStats = Record<
  string,
  { state: FeatureStats; action: FeatureStats; env?: FeatureStats; ee?: FeatureStats }
>;

/**
 * Smallest scale a dimension is divided by (robot units: rad, m). A joint that barely moves in the
 * data (std 0.002 rad) would otherwise turn ordinary deviations into z-scores of hundreds, which
 * dominate the loss and blow up gradients. The same floor as the data loader's (one implementation).
 */
export const MIN_SCALE = NORM_EPS;

/** Stats in the shape `@robofm/data/norm` takes; quantile mode needs q01/q99. */
function asNormStat(s: FeatureStats, mode: 'zscore' | 'quantile'): NormStat {
  if (s.q01 && s.q99) return s as NormStat;
  if (mode === 'quantile')
    throw new ValidationError('norm_stats.q01', s.q01, 'q01/q99 arrays for quantile mode');
  return { ...s, q01: s.mean, q99: s.mean };
}

/**
 * Normalizes one vector into `out` (length = x.length) with `@robofm/data/norm`:
 * zscore: (x − mean) / max(std, MIN_SCALE); quantile: (x − mid) / max(half-range, MIN_SCALE) with
 * mid and half-range from q01 / q99. Exactly invertible by `unnormalizeVector`.
 */
export function normalizeVector(
  x: ArrayLike<number>,
  s: FeatureStats,
  mode: 'zscore' | 'quantile',
  out = new Float32Array(x.length),
): Float32Array {
  return normalize(x, asNormStat(s, mode), mode, x.length, out);
}

/** The exact inverse of `normalizeVector` (for dimensions with spread). */
export function unnormalizeVector(
  y: ArrayLike<number>,
  s: FeatureStats,
  mode: 'zscore' | 'quantile',
  out = new Float32Array(y.length),
): Float32Array {
  return unnormalize(y, asNormStat(s, mode), mode, y.length, out);
}

/** Checks norm stats against the widths the model expects for each body. */
export function validateNormStats(
  stats: NormStats,
  dims: Record<string, { stateDim: number; actionDim: number }>,
): NormStats {
  for (const [name, d] of Object.entries(dims)) {
    const s = stats[name];
    if (!s)
      throw new ValidationError(`norm_stats.${name}`, undefined, 'stats for every embodiment of the model');
    for (const [k, width] of [
      ['state', d.stateDim],
      ['action', d.actionDim],
    ] as const) {
      const f = s[k];
      if (!f || f.mean?.length !== width || f.std?.length !== width)
        throw new ValidationError(`norm_stats.${name}.${k}.mean`, f?.mean, `an array of length ${width}`);
    }
  }
  return stats;
}

/** Per-dimension stats of rows of width `dim` (streaming mean/std, min/max, approximate q01/q99). */
export function computeFeatureStats(rows: Iterable<ArrayLike<number>>, dim: number): FeatureStats {
  const cols: number[][] = Array.from({ length: dim }, () => []);
  for (const r of rows) for (let i = 0; i < dim; i++) cols[i].push(r[i]);
  const mean: number[] = [];
  const std: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  const q01: number[] = [];
  const q99: number[] = [];
  for (const c of cols) {
    const n = Math.max(1, c.length);
    const m = c.reduce((a, b) => a + b, 0) / n;
    const v = c.reduce((a, b) => a + (b - m) * (b - m), 0) / n;
    const sorted = [...c].sort((a, b) => a - b);
    const q = (p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
    mean.push(m);
    std.push(Math.sqrt(v));
    min.push(sorted[0] ?? 0);
    max.push(sorted[sorted.length - 1] ?? 0);
    q01.push(q(0.01));
    q99.push(q(0.99));
  }
  return { mean, std, min, max, q01, q99 };
}
