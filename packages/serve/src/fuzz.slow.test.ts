import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz-run.ts';

describe('fuzz', () => {
  it('10 000 random and malformed frames: 0 crashes, a concurrent well-behaved client unaffected', async () => {
    const r = await runFuzz(10_000, 1);
    process.stderr.write(`fuzz: ${JSON.stringify(r)}\n`);
    expect(r.frames).toBe(10_000);
    // every frame got an answer: a reply or an error text frame (a few may close at the ws layer)
    expect(r.replies + r.errorFrames).toBeGreaterThan(9_900);
    expect(r.errorFrames).toBeGreaterThan(5_000);
    expect(r.goodFailures).toBe(0);
    expect(r.goodRequests).toBeGreaterThan(100);
    expect(r.healthy).toBe(true);
  }, 600_000);
});
