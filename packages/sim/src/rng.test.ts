import { describe, expect, it } from 'vitest';
import { makeRng } from './rng.ts';

describe('makeRng', () => {
  it('is reproducible per seed, differs across seeds, and is roughly uniform', () => {
    const a = makeRng(7);
    const b = makeRng(7);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(makeRng(8).next()).not.toBe(makeRng(7).next());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const r = makeRng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[r.int(3)]++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
    expect(() => makeRng(Number.NaN)).toThrow(RangeError);
  });
});
