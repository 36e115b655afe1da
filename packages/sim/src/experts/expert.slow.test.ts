import { describe, expect, it } from 'vitest';
import { SimEnv } from '../env.ts';
import type { TaskDefinition } from '../task.ts';
import { SUITE_TASKS } from '../tasks/index.ts';
import type { SuiteState } from '../tasks/suite-state.ts';
import { type Quality, ScriptedExpert } from './scripted-expert.ts';

async function run(
  task: string,
  embodiment: string,
  seeds: number[],
  options: Record<string, unknown>,
  quality: Quality = 'expert',
) {
  const def = SUITE_TASKS[task];
  const box: { state?: SuiteState } = {};
  const wrapped: TaskDefinition<SuiteState> = {
    ...def,
    build: (ctx) => {
      const b = def.build(ctx);
      box.state = b.state;
      return b;
    },
  };
  const env = await SimEnv.create({
    embodiment,
    task: wrapped as TaskDefinition<unknown>,
    taskOptions: options,
    cameras: [],
  });
  const out: Array<{ success: boolean; actions: number[]; labels: Set<string> }> = [];
  try {
    for (const seed of seeds) {
      env.reset({ seed });
      const ex = new ScriptedExpert(env.world, box.state!, quality);
      const actions: number[] = [];
      const labels = new Set<string>();
      let success = false;
      for (;;) {
        const s = ex.act();
        labels.add(s.subtask);
        actions.push(...s.action.slice(0, 3));
        const r = env.step(s.action);
        if (r.info.success === true) success = true;
        if (r.terminated || r.truncated) break;
      }
      out.push({ success, actions, labels });
    }
  } finally {
    env.dispose();
  }
  return out;
}

describe('scripted experts (slow)', () => {
  it('pick_place/arm6 handles every edge case', async () => {
    for (const e of ['duplicate', 'damaged', 'phone', 'nudge', 'slip']) {
      const [r] = await run('pick_place', 'arm6', [1_000_000 + 3], { edgeCase: e });
      expect(r.success, e).toBe(true);
      if (e === 'duplicate') expect([...r.labels].some((l) => l.startsWith('put the extra'))).toBe(true);
      if (e === 'damaged') expect([...r.labels].some((l) => l.includes('reject bin'))).toBe(true);
      if (e === 'phone') expect([...r.labels]).toContain('move the phone out of the bin');
    }
  });
  it('the failing tier fails and the noisy tier still mostly works', async () => {
    const seeds = [1_000_010, 1_000_011, 1_000_012, 1_000_013];
    const failing = await run('pick_place', 'arm6', seeds, { edgeCases: 'off' }, 'failing');
    expect(failing.filter((r) => r.success).length).toBeLessThanOrEqual(1);
    const noisy = await run('pick_place', 'arm6', seeds, { edgeCases: 'off' }, 'noisy');
    expect(noisy.filter((r) => r.success).length).toBeGreaterThanOrEqual(3);
  });
});
