import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson.ts';

describe('wilsonInterval', () => {
  it('matches published values', () => {
    // 20/20: classic Wilson lower bound 0.8389
    const [lo, hi] = wilsonInterval(20, 20);
    expect(lo).toBeCloseTo(0.8389, 3);
    expect(hi).toBe(1);
    // 8/10: [0.4902, 0.9433]
    const [a, b] = wilsonInterval(8, 10);
    expect(a).toBeCloseTo(0.4902, 3);
    expect(b).toBeCloseTo(0.9433, 3);
    const [z0, z1] = wilsonInterval(0, 20);
    expect(z0).toBe(0);
    expect(z1).toBeCloseTo(0.1611, 3);
  });
  it('rejects bad input', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(/successes/);
    expect(() => wilsonInterval(1, -1)).toThrow(/n must/);
  });
});
