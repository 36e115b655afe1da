import { ValidationError } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { SimEnv } from './env.ts';
import { VecEnv } from './vec-env.ts';

describe('VecEnv', () => {
  it('steps N envs over workers, matches a single env with the same seed, and auto-resets', async () => {
    const vec = await VecEnv.create({ n: 3, workers: 2, env: { embodiment: 'arm4', maxSteps: 3 } });
    try {
      expect(vec.spec.name).toBe('arm4');
      const { obs, infos } = await vec.reset({ seed: 10 });
      expect(infos.map((i) => i.sceneSeed)).toEqual([10, 11, 12]);
      const actions = obs.map((o) => Float32Array.from(o.state));
      let results = await vec.step(actions);
      results = await vec.step(actions);
      // Env 1 replayed alone gives the same state.
      const single = await SimEnv.create({ embodiment: 'arm4', maxSteps: 3 });
      single.reset({ seed: 11 });
      single.step(actions[1]);
      const r1 = single.step(actions[1]);
      single.dispose();
      expect(Array.from(results[1].obs.state)).toEqual(Array.from(r1.obs.state));
      expect(results[0].obs.images.front).toHaveLength(96 * 96 * 3);
      results = await vec.step(actions); // third step: truncated → auto-reset with seed + N
      expect(results.every((r) => r.truncated)).toBe(true);
      expect(results[0].info.final_obs).toBeDefined();
      expect((results[0].info.reset_info as { sceneSeed: number }).sceneSeed).toBe(13);
      await expect(vec.step([actions[0]])).rejects.toThrow(ValidationError);
      const bad = actions.map((a) => Float32Array.from(a));
      bad[2][0] = Number.NaN;
      await expect(vec.step(bad)).rejects.toThrow(/action\[0\] \(base\)/);
    } finally {
      await vec.close();
    }
  });
});
