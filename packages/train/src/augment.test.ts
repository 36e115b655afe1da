import { Rng } from '@robofm/policy';
import { describe, expect, it } from 'vitest';
import { dropState } from './augment.ts';
import type { ArrayBatch } from '@robofm/policy';

const batch = (B: number, D: number): ArrayBatch =>
  ({ size: B, state: Float32Array.from({ length: B * D }, (_, i) => i + 1) }) as unknown as ArrayBatch;

describe('state dropout', () => {
  it('zeroes whole samples at about the asked rate and leaves the others untouched', () => {
    const D = 4;
    const b = batch(2000, D);
    dropState(b, D, 0.3, new Rng(7));
    let dropped = 0;
    for (let i = 0; i < b.size; i++) {
      const row = Array.from(b.state.subarray(i * D, (i + 1) * D));
      if (row.every((v) => v === 0)) dropped++;
      else expect(row).toEqual([1, 2, 3, 4].map((k) => i * D + k));
    }
    expect(dropped / b.size).toBeGreaterThan(0.25);
    expect(dropped / b.size).toBeLessThan(0.35);
  });

  it('p = 0 changes nothing', () => {
    const b = batch(10, 3);
    const before = Float32Array.from(b.state);
    dropState(b, 3, 0, new Rng(1));
    expect(b.state).toEqual(before);
  });
});
