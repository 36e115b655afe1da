import { describe, expect, it } from 'vitest';
import { pickCumulative } from './sampling.ts';

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
