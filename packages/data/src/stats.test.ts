import { describe, expect, it } from 'vitest';
import { Rng } from '@robofm/core';
import { actionsFromModel, normalize, padRows, stateToModel, unnormalize, unpadRows } from './norm.ts';
import { aggregateStats, RunningStats } from './stats.ts';

function exactQuantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
}

describe('RunningStats', () => {
  it('matches exact moments and quantiles on streamed batches whose range keeps growing', () => {
    const rng = new Rng(5);
    const rs = new RunningStats(2);
    const cols: number[][] = [[], []];
    for (let b = 0; b < 50; b++) {
      const rows = 200;
      const batch = new Float64Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        // dim 0: normal-ish widening over time; dim 1: skewed (exponential)
        const g = (rng.next() + rng.next() + rng.next() - 1.5) * (1 + b / 10);
        const x = -Math.log(1 - rng.next()) * 3;
        batch[r * 2] = g;
        batch[r * 2 + 1] = x;
        cols[0].push(g);
        cols[1].push(x);
      }
      rs.update(batch, rows);
    }
    const s = rs.result();
    expect(s.count).toEqual([10000]);
    for (let j = 0; j < 2; j++) {
      const v = cols[j];
      const mean = v.reduce((a, x) => a + x, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / v.length);
      const sorted = [...v].sort((a, b) => a - b);
      expect(s.mean[j]).toBeCloseTo(mean, 9);
      expect(s.std[j]).toBeCloseTo(std, 9);
      expect(s.min[j]).toBe(sorted[0]);
      expect(s.max[j]).toBe(sorted[sorted.length - 1]);
      const range = sorted[sorted.length - 1] - sorted[0];
      for (const [k, q] of [
        ['q01', 0.01],
        ['q10', 0.1],
        ['q50', 0.5],
        ['q90', 0.9],
        ['q99', 0.99],
      ] as const) {
        expect(Math.abs(s[k][j] - exactQuantile(sorted, q))).toBeLessThan(range * 0.005);
      }
    }
  });

  it('aggregates parts exactly for count/mean/std/min/max', () => {
    const all: number[] = [];
    const parts = [3, 10, 1].map((n, p) => {
      const rs = new RunningStats(1);
      const xs = Array.from({ length: n }, (_, i) => i * (p + 1) - p);
      all.push(...xs);
      rs.update(xs, n);
      return rs.result();
    });
    const agg = aggregateStats(parts);
    const whole = new RunningStats(1);
    whole.update(all, all.length);
    const w = whole.result();
    expect(agg.count).toEqual([14]);
    expect(agg.mean[0]).toBeCloseTo(w.mean[0], 12);
    expect(agg.std[0]).toBeCloseTo(w.std[0], 12);
    expect(agg.min).toEqual(w.min);
    expect(agg.max).toEqual(w.max);
  });
});

describe('normalization pairs', () => {
  const stat = { mean: [1, -2, 0.5], std: [2, 0.5, 0], q01: [-3, -3, 0.5], q99: [5, -1, 0.5] };
  it('unnormalize inverts normalize for every mode (constant dims included)', () => {
    const x = Float32Array.from([0.3, -2.2, 0.5, 4.9, -1.1, 0.5]);
    for (const mode of ['zscore', 'quantile', 'none'] as const) {
      const y = normalize(x, stat, mode);
      const back = unnormalize(y, stat, mode);
      for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i], 5);
    }
    const q = normalize(Float32Array.from([-3, -3, 0.5, 5, -1, 0.5]), stat, 'quantile');
    expect(Array.from(q).map((v) => +v.toFixed(5))).toEqual([-1, -1, 0, 1, 1, 0]);
    const z = normalize(Float32Array.from([3, -1.5, 0.5]), stat, 'zscore');
    expect(Array.from(z)).toEqual([1, 1, 0]);
  });
  it('pads with masks and the inference helpers round-trip', () => {
    const { data, mask } = padRows([1, 2, 3, 4, 5, 6], 3, 5);
    expect(Array.from(data)).toEqual([1, 2, 3, 0, 0, 4, 5, 6, 0, 0]);
    expect(Array.from(mask)).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(unpadRows(data, 3, 5))).toEqual([1, 2, 3, 4, 5, 6]);
    const stats = { 'observation.state': stat, action: stat };
    const s = stateToModel([0.3, -2.2, 0.5], stats, 'quantile', 8);
    expect(s.data).toHaveLength(8);
    // model output = normalized padded chunk [H=2, 8] → physical [2, 3]
    const chunk = new Float32Array(16);
    chunk.set(normalize([0.3, -2.2, 0.5], stat, 'quantile'), 0);
    chunk.set(normalize([4.9, -1.1, 0.5], stat, 'quantile'), 8);
    const a = actionsFromModel(chunk, stats, 'quantile', 3, 8);
    expect(Array.from(a).map((v) => +v.toFixed(4))).toEqual([0.3, -2.2, 0.5, 4.9, -1.1, 0.5]);
    expect(() => normalize([1, 2], stat, 'zscore', 3)).toThrow(/multiple of dim 3/);
  });
});
