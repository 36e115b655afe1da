import { SimEnv, type TaskDefinition } from '@robofm/sim';
import { type SuiteState, suiteTask } from './suite.ts';

export interface SuiteEnvOptions {
  task: string;
  embodiment: string;
  /** Cameras to render (default: all of the body's; `[]` renders none — fast, for the expert). */
  cameras?: string[];
  /** Edge-case setting passed to the task (`'default'`, `'off'`, `{name: rate}`). */
  edgeCases?: unknown;
  /** Instruction paraphrases: evaluation uses the held-out set. */
  paraphrases?: 'train' | 'heldout';
  maxSteps?: number;
}

/** A SimEnv on a suite task that also hands out the task's state (the expert's plan) after reset. */
export interface SuiteEnv {
  env: SimEnv;
  /** The state the task built at the last reset (live: injectors update it). */
  state(): SuiteState;
}

export async function createSuiteEnv(o: SuiteEnvOptions): Promise<SuiteEnv> {
  const def = suiteTask(o.task);
  let current: SuiteState | undefined;
  const wrapped: TaskDefinition<SuiteState> = {
    ...def,
    build(ctx) {
      const b = def.build(ctx);
      current = b.state;
      return b;
    },
  };
  const env = await SimEnv.create({
    embodiment: o.embodiment,
    task: wrapped as TaskDefinition<unknown>,
    taskOptions: { edgeCases: o.edgeCases ?? 'default', paraphrases: o.paraphrases ?? 'train' },
    ...(o.cameras ? { cameras: o.cameras } : {}),
    ...(o.maxSteps ? { maxSteps: o.maxSteps } : {}),
  });
  return {
    env,
    state() {
      if (!current) throw new Error('createSuiteEnv: reset() the env first');
      return current;
    },
  };
}
