import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz-run.ts';

// The full 10 000-frame run is fuzz.slow.test.ts (ROBOFM_SLOW=1); this one keeps the default suite quick.
describe('fuzz (quick)', () => {
  it('500 random and malformed frames: no crash, the well-behaved client is unaffected', async () => {
    const r = await runFuzz(500, 7);
    expect(r.frames).toBe(500);
    expect(r.replies + r.errorFrames).toBeGreaterThan(450);
    expect(r.errorFrames).toBeGreaterThan(100);
    expect(r.goodFailures).toBe(0);
    expect(r.goodRequests).toBeGreaterThan(5);
    expect(r.healthy).toBe(true);
  });
});
