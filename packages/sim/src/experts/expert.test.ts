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

describe('scripted experts', () => {
  it('labels every phase in words and is deterministic', async () => {
    const a = await run('pick_place', 'arm6', [42], { edgeCases: 'off' });
    const b = await run('pick_place', 'arm6', [42], { edgeCases: 'off' });
    expect(a[0].actions).toEqual(b[0].actions);
    const labels = [...a[0].labels];
    expect(labels.some((l) => /^grasp the \w+ \w+$/.test(l))).toBe(true);
    expect(labels.some((l) => /^move to the \w+ bin$/.test(l))).toBe(true);
    expect(labels.some((l) => /^release the /.test(l))).toBe(true);
  });
  it('handover/bimanual succeeds', async () => {
    const rs = await run('handover', 'bimanual', [1_000_000, 1_000_001], {});
    expect(rs.every((r) => r.success)).toBe(true);
    expect([...rs[0].labels].some((l) => l.includes('with the right arm'))).toBe(true);
  });
});
