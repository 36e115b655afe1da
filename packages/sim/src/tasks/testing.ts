import { SimEnv } from '../env.ts';
import { type Quality, ScriptedExpert } from '../experts/scripted-expert.ts';
import type { TaskDefinition } from '../task.ts';
import { SUITE_TASKS } from './index.ts';
import type { SuiteState } from './suite-state.ts';

/** Test helper: an env (no cameras) on a suite task that exposes the task state of the last reset. */
export async function envWithState(
  task: string,
  embodiment: string,
  options: Record<string, unknown> = {},
): Promise<{ env: SimEnv; state: () => SuiteState }> {
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
  return { env, state: () => box.state! };
}

/**
 * Test helper: runs the scripted expert on each scene seed until the episode ends; returns whether
 * it succeeded, the first three action dims of every step and the subtask labels it used.
 */
export async function runExpert(
  task: string,
  embodiment: string,
  seeds: number[],
  options: Record<string, unknown>,
  quality: Quality = 'expert',
): Promise<Array<{ success: boolean; actions: number[]; labels: Set<string> }>> {
  const { env, state } = await envWithState(task, embodiment, options);
  const out: Array<{ success: boolean; actions: number[]; labels: Set<string> }> = [];
  try {
    for (const seed of seeds) {
      env.reset({ seed });
      const ex = new ScriptedExpert(env.world, state(), quality);
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
