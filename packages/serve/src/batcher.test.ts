import type { Observation } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { DynamicBatcher } from './batcher.ts';
import { HoldSinePolicy } from './hold-sine-policy.ts';

const obs = (embodiment = 'arm6'): Observation => ({
  embodiment,
  images: {},
  state: new Float32Array(7),
  instruction: '',
});

describe('DynamicBatcher', () => {
  it('groups by embodiment and respects maxBatch', async () => {
    const p = new HoldSinePolicy();
    const sizes: number[] = [];
    const b = new DynamicBatcher(
      () => p,
      { maxBatch: 3, maxWaitMs: 5 },
      (s) => sizes.push(s.size),
    );
    const rs = await Promise.all([obs(), obs(), obs(), obs(), obs('hand'), obs()].map((o) => b.submit(o)));
    expect(rs.map((r) => r.chunk.actionDim)).toEqual([7, 7, 7, 7, 7, 7]);
    expect(sizes.reduce((a, c) => a + c, 0)).toBe(6);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  it('close() between scheduling and the batch start rejects cleanly (no crash)', async () => {
    const p = new HoldSinePolicy();
    const b = new DynamicBatcher(() => p, { maxBatch: 1, maxWaitMs: 0 });
    const r = b.submit(obs());
    b.close(); // empties the queue before the scheduled run executes
    await expect(r).rejects.toThrow(/shutting down/);
    await new Promise((res) => setTimeout(res, 10));
    expect(b.isBusy).toBe(false);
    await expect(b.submit(obs())).rejects.toThrow(/shutting down/);
  });

  it('an idle model starts at once with maxWaitMs 0; requests queued while busy batch together', async () => {
    const p = new HoldSinePolicy({ fixedMs: 20 });
    const sizes: number[] = [];
    const b = new DynamicBatcher(
      () => p,
      { maxBatch: 16, maxWaitMs: 0 },
      (s) => sizes.push(s.size),
    );
    const first = b.submit(obs());
    await new Promise((res) => setTimeout(res, 5));
    const rest = [1, 2, 3, 4].map(() => b.submit(obs()));
    await Promise.all([first, ...rest]);
    expect(sizes).toEqual([1, 4]);
  });
});
