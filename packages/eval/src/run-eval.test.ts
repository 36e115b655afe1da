import { describe, expect, it } from 'vitest';
import { resolvePolicy } from './resolve-policy.ts';
import { runEval } from './run-eval.ts';

describe('runEval', () => {
  it('runs the expert on held-out scenes in this thread, deterministically', async () => {
    const o = {
      policy: 'expert',
      suite: 'pick_place/arm6,button/arm6',
      episodes: 2,
      seedStart: 5,
      workers: 0,
      progress: false,
    };
    const a = await runEval(o);
    const b = await runEval(o);
    expect(a.overall.episodes).toBe(4);
    expect(a.episodes.map((e) => e.sceneSeed)).toEqual([1_000_005, 1_000_005, 1_000_006, 1_000_006]);
    expect(a.episodes.map((e) => [e.success, e.steps, e.instruction])).toEqual(
      b.episodes.map((e) => [e.success, e.steps, e.instruction]),
    );
    expect(a.overall.success).toBe(1);
  });
  it('rejects bad options and unknown policies with clear errors', async () => {
    await expect(runEval({ policy: 'expert', episodes: 0 })).rejects.toThrow(/--episodes/);
    await expect(runEval({ policy: 'expert', episodes: 1, seedStart: -1 })).rejects.toThrow(/--seed-start/);
    await expect(resolvePolicy('/no/such/dir')).rejects.toThrow(/--policy|policy/);
  });
});
