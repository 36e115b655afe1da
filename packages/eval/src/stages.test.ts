import type { Observation, Policy } from '@robofm/core';
import { sceneSeed } from '@robofm/sim';
import { describe, expect, it } from 'vitest';
import { runEpisode } from './episode.ts';
import { summarize } from './report.ts';
import { runEval } from './run-eval.ts';
import { countStages, formatStages } from './stages.ts';
import { createSuiteEnv } from './suite-env.ts';

/** Keeps every joint where it is: never moves toward anything. */
const holdStill: Policy = {
  metadata: {} as Policy['metadata'],
  async infer(obs: Observation) {
    return {
      actions: Float32Array.from(obs.state),
      horizon: 1,
      actionDim: obs.state.length,
      timing: {},
    } as never;
  },
};

describe('episode stages', () => {
  it('the expert reaches, grasps and lifts; a task without an object goal has no stages', async () => {
    const r = await runEval({
      policy: 'expert',
      suite: 'pick_place/arm6,button/arm6',
      episodes: 1,
      seedStart: 3,
      workers: 0,
      progress: false,
    });
    const [pick, button] = r.episodes;
    expect(pick.success).toBe(true);
    expect(pick.stages!.closestCm).toBeLessThan(3);
    expect(pick.stages!.grasped).toBe(true);
    expect(pick.stages!.liftedCm).toBeGreaterThan(3);
    expect(button.stages).toBeUndefined();
    expect(r.suites['pick_place/arm6'].stages).toEqual({
      episodes: 1,
      reached: 1,
      grasped: 1,
      lifted: 1,
      successes: 1,
    });
    expect(r.suites['button/arm6'].stages).toBeUndefined();
  });

  it('a policy that holds still reaches nothing and grasps nothing', async () => {
    const se = await createSuiteEnv({
      task: 'pick_place',
      embodiment: 'arm6',
      cameras: [],
      edgeCases: 'off',
      maxSteps: 20,
    });
    try {
      const { result } = await runEpisode(
        se,
        { task: 'pick_place', embodiment: 'arm6', sceneSeed: sceneSeed('heldout', 3) },
        holdStill,
      );
      expect(result.success).toBe(false);
      expect(result.stages!.closestCm).toBeGreaterThan(10);
      expect(result.stages!.grasped).toBe(false);
      expect(result.stages!.liftedCm).toBe(0);
      expect(summarize([result]).stages).toMatchObject({ reached: 0, grasped: 0, lifted: 0, successes: 0 });
    } finally {
      se.env.dispose();
    }
  });

  it('counts the funnel over the episodes that have stages', () => {
    const st = (closestCm: number, grasped: boolean, liftedCm: number) => ({ closestCm, grasped, liftedCm });
    const c = countStages([
      { success: true, stages: st(0.5, true, 12) },
      { success: false, stages: st(2.9, true, 1) },
      { success: false, stages: st(3.1, false, 0) },
      { success: false, stages: st(40, false, 0) },
      { success: false },
    ])!;
    expect(c).toEqual({ episodes: 4, reached: 2, grasped: 2, lifted: 1, successes: 1 });
    expect(formatStages(c)).toBe('reached 2 · grasped 2 · lifted 1 · success 1 (of 4)');
    expect(countStages([{ success: true }])).toBeUndefined();
  });
});
