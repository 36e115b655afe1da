import { describe, expect, it } from 'vitest';
import { Rng, pickCumulative } from './sampling.ts';

describe('pickCumulative', () => {
  it('draws each entry by its share of the total; zero-weight entries never', () => {
    const cum = [1, 1, 4, 8]; // weights 1, 0, 3, 4
    expect(pickCumulative(cum, 0)).toBe(0);
    expect(pickCumulative(cum, 0.124)).toBe(0);
    expect(pickCumulative(cum, 0.125)).toBe(2);
    expect(pickCumulative(cum, 0.499)).toBe(2);
    expect(pickCumulative(cum, 0.5)).toBe(3);
    expect(pickCumulative(cum, 0.999)).toBe(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[pickCumulative(cum, (i + 0.5) / 8000)]++;
    expect(counts).toEqual([1000, 0, 3000, 4000]);
  });
});

describe('Rng', () => {
  it('reproduces a stream from its seed; nearby seeds and derived streams differ; draws are uniform', () => {
    const take = (r: Rng, n: number) => Array.from({ length: n }, () => r.next());
    expect(take(new Rng(42), 5)).toEqual(take(new Rng(42), 5));
    expect(take(new Rng(42), 5)).not.toEqual(take(new Rng(43), 5));
    expect(take(Rng.derive(0, 1), 5)).toEqual(take(Rng.derive(0, 1), 5));
    expect(take(Rng.derive(0, 1), 5)).not.toEqual(take(Rng.derive(0, 2), 5));
    expect(take(Rng.derive(0, 1, 5), 5)).not.toEqual(take(Rng.derive(0, 1, 23), 5));
    const r = new Rng(7);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) bins[r.int(10)]++;
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200);
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[r.pick([1, 4])]++;
    expect(counts[1] / 4000).toBeGreaterThan(0.7);
    expect(counts[1] / 4000).toBeLessThan(0.8);
  });
});
