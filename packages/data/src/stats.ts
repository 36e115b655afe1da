/**
 * Streaming statistics as LeRobot stores them (`meta/stats.json`, per-episode `stats/<key>/<stat>`):
 * per dimension `min`, `max`, `mean`, `std`, `count`, and quantiles `q01 q10 q50 q90 q99` from
 * adaptive histograms (bounded memory whatever the number of frames). Images get per-channel
 * statistics of pixel values scaled to [0, 1], shaped [3, 1, 1].
 */
export const QUANTILES = [0.01, 0.1, 0.5, 0.9, 0.99] as const;
export const QUANTILE_KEYS = ['q01', 'q10', 'q50', 'q90', 'q99'] as const;
export const STAT_KEYS = ['min', 'max', 'mean', 'std', 'count', ...QUANTILE_KEYS] as const;
export type StatKey = (typeof STAT_KEYS)[number];

/** Statistics of one feature: every entry an array over dimensions (`count` has one entry). */
export type FeatureStats = Record<StatKey, number[]>;
export type DatasetStats = Record<string, FeatureStats>;

const DEFAULT_BINS = 2048;

/** Running statistics of a d-dimensional stream. */
export class RunningStats {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly hist: Float64Array; // [d, bins]

  constructor(
    readonly dim: number,
    readonly bins = DEFAULT_BINS,
  ) {
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
    this.lo = new Float64Array(dim);
    this.hi = new Float64Array(dim);
    this.min = new Float64Array(dim).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(dim).fill(Number.NEGATIVE_INFINITY);
    this.hist = new Float64Array(dim * bins);
  }

  get count(): number {
    return this.n;
  }

  /** Adds `rows` samples stored row-major in `values` ([rows, dim]). Non-finite values are skipped per dim. */
  update(values: ArrayLike<number>, rows = values.length / this.dim): void {
    const d = this.dim;
    // Grow histogram ranges first so every value of the batch falls inside.
    for (let j = 0; j < d; j++) {
      let bmin = Number.POSITIVE_INFINITY;
      let bmax = Number.NEGATIVE_INFINITY;
      for (let r = 0; r < rows; r++) {
        const v = values[r * d + j];
        if (v < bmin) bmin = v;
        if (v > bmax) bmax = v;
      }
      if (!(bmin <= bmax)) continue;
      if (bmin < this.min[j]) this.min[j] = bmin;
      if (bmax > this.max[j]) this.max[j] = bmax;
      this.ensureRange(j, bmin, bmax);
    }
    for (let r = 0; r < rows; r++) {
      this.n++;
      const inv = 1 / this.n;
      for (let j = 0; j < d; j++) {
        const v = values[r * d + j];
        const delta = v - this.mean[j];
        this.mean[j] += delta * inv;
        this.m2[j] += delta * (v - this.mean[j]);
        const span = this.hi[j] - this.lo[j];
        let b = span > 0 ? Math.floor(((v - this.lo[j]) / span) * this.bins) : 0;
        if (b >= this.bins) b = this.bins - 1;
        if (b < 0) b = 0;
        this.hist[j * this.bins + b]++;
      }
    }
  }

  private ensureRange(j: number, vmin: number, vmax: number): void {
    if (this.n === 0 && this.lo[j] === 0 && this.hi[j] === 0) {
      const pad = Math.max(1e-6, (vmax - vmin) * 1e-3);
      this.lo[j] = vmin - pad;
      this.hi[j] = vmax + pad;
      return;
    }
    if (vmin >= this.lo[j] && vmax <= this.hi[j]) return;
    const oldLo = this.lo[j];
    const oldHi = this.hi[j];
    let lo = oldLo;
    let hi = oldHi;
    // Double the span towards the new values until they fit (amortised O(log) rebins).
    while (vmin < lo || vmax > hi) {
      const span = Math.max(hi - lo, 1e-6);
      if (vmin < lo) lo -= span;
      if (vmax > hi) hi += span;
    }
    const old = this.hist.slice(j * this.bins, (j + 1) * this.bins);
    const row = this.hist.subarray(j * this.bins, (j + 1) * this.bins);
    row.fill(0);
    const oldW = (oldHi - oldLo) / this.bins;
    for (let b = 0; b < this.bins; b++) {
      if (!old[b]) continue;
      const center = oldLo + (b + 0.5) * oldW;
      let nb = Math.floor(((center - lo) / (hi - lo)) * this.bins);
      if (nb >= this.bins) nb = this.bins - 1;
      if (nb < 0) nb = 0;
      row[nb] += old[b];
    }
    this.lo[j] = lo;
    this.hi[j] = hi;
  }

  quantile(j: number, q: number): number {
    if (this.n === 0) return Number.NaN;
    const target = q * this.n;
    const row = this.hist.subarray(j * this.bins, (j + 1) * this.bins);
    const w = (this.hi[j] - this.lo[j]) / this.bins;
    let cum = 0;
    for (let b = 0; b < this.bins; b++) {
      const c = row[b];
      if (cum + c >= target && c > 0) {
        const v = this.lo[j] + (b + (target - cum) / c) * w;
        return Math.min(this.max[j], Math.max(this.min[j], v));
      }
      cum += c;
    }
    return this.max[j];
  }

  result(): FeatureStats {
    const d = this.dim;
    const arr = (f: (j: number) => number) => Array.from({ length: d }, (_, j) => f(j));
    const out = {
      min: arr((j) => this.min[j]),
      max: arr((j) => this.max[j]),
      mean: arr((j) => this.mean[j]),
      std: arr((j) => (this.n > 0 ? Math.sqrt(this.m2[j] / this.n) : 0)),
      count: [this.n],
    } as FeatureStats;
    QUANTILES.forEach((q, i) => {
      out[QUANTILE_KEYS[i]] = arr((j) => this.quantile(j, q));
    });
    return out;
  }
}

/**
 * Image statistics: per channel over pixels scaled to [0, 1]. Pixels are subsampled on a stride so
 * a 96×96 frame costs a few hundred operations.
 */
export class ImageStats {
  private readonly rs = new RunningStats(3, 256);
  private readonly buf: Float64Array;
  constructor(
    readonly pixels: number,
    readonly maxSamples = 256,
  ) {
    this.buf = new Float64Array(Math.min(pixels, maxSamples) * 3);
  }
  update(rgb: Uint8Array): void {
    const n = this.buf.length / 3;
    const step = this.pixels / n;
    for (let i = 0; i < n; i++) {
      const p = Math.floor(i * step) * 3;
      this.buf[i * 3] = rgb[p] / 255;
      this.buf[i * 3 + 1] = rgb[p + 1] / 255;
      this.buf[i * 3 + 2] = rgb[p + 2] / 255;
    }
    this.rs.update(this.buf, n);
  }
  get count(): number {
    return this.rs.count;
  }
  result(frames: number): FeatureStats {
    const r = this.rs.result();
    r.count = [frames];
    return r;
  }
}

/** LeRobot's image-stat layout: each per-channel stat as [[[c0]], [[c1]], [[c2]]]. */
export function toImageLayout(s: FeatureStats): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of STAT_KEYS) out[k] = k === 'count' ? s.count : s[k].map((v) => [[v]]);
  return out;
}

/** Inverse of `toImageLayout` (also accepts flat arrays). */
export function fromAnyLayout(raw: Record<string, unknown>): FeatureStats {
  const out = {} as FeatureStats;
  for (const [k, v] of Object.entries(raw)) {
    out[k as StatKey] = (Array.isArray(v) ? v.flat(3) : [v]).map(Number);
  }
  return out;
}

/**
 * Combines per-episode (or per-dataset) statistics exactly for count, mean, std, min and max;
 * quantiles as count-weighted means of the parts (as LeRobot aggregates). Exact histogram
 * quantiles over a whole dataset come from `computeStats` in `dataset-stats.ts`.
 */
export function aggregateStats(parts: FeatureStats[]): FeatureStats {
  const usable = parts.filter((p) => p && (p.count?.[0] ?? 0) > 0);
  if (usable.length === 0) throw new Error('aggregateStats: no statistics with count > 0');
  const d = usable[0].mean.length;
  const total = usable.reduce((a, p) => a + p.count[0], 0);
  const mean = new Array(d).fill(0);
  for (const p of usable) for (let j = 0; j < d; j++) mean[j] += (p.mean[j] * p.count[0]) / total;
  const variance = new Array(d).fill(0);
  for (const p of usable) {
    for (let j = 0; j < d; j++) {
      const dm = p.mean[j] - mean[j];
      variance[j] += (p.count[0] * (p.std[j] * p.std[j] + dm * dm)) / total;
    }
  }
  const out = {
    min: Array.from({ length: d }, (_, j) => Math.min(...usable.map((p) => p.min[j]))),
    max: Array.from({ length: d }, (_, j) => Math.max(...usable.map((p) => p.max[j]))),
    mean,
    std: variance.map((v) => Math.sqrt(Math.max(0, v))),
    count: [total],
  } as FeatureStats;
  for (const q of QUANTILE_KEYS) {
    if (usable.every((p) => p[q]))
      out[q] = Array.from({ length: d }, (_, j) =>
        usable.reduce((a, p) => a + (p[q][j] * p.count[0]) / total, 0),
      );
  }
  return out;
}

export function aggregateDatasetStats(parts: DatasetStats[]): DatasetStats {
  const keys = new Set(parts.flatMap((p) => Object.keys(p)));
  const out: DatasetStats = {};
  for (const k of keys) {
    const have = parts.map((p) => p[k]).filter(Boolean);
    if (have.length) out[k] = aggregateStats(have);
  }
  return out;
}
