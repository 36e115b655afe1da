import { RobofmError, ValidationError } from '@robofm/core';
import { makeRng } from '../rng.ts';
import type { TaskDefinition } from '../task.ts';
import { registerTask } from '../task-registry.ts';
import { button } from './button.ts';
import { clearTable } from './clear-table.ts';
import { drawer } from './drawer.ts';
import { fetchTask } from './fetch.ts';
import { handover } from './handover.ts';
import { pickPlace } from './pick-place.ts';
import { push } from './push.ts';
import { stack } from './stack.ts';
import type { SuiteState } from './suite-state.ts';

export { EDGE_CASES, DEFAULT_EDGE_RATES, drawEdgeCases, type EdgeCase } from './edge-cases.ts';
export { INSTRUCTION_TEMPLATES, makeInstruction, fillTemplate, type ParaphraseSet } from './instructions.ts';
export { TRAIN_SEEDS, HELDOUT_SEEDS, seedSplit, sceneSeed, assertSeedIn, type SeedSplit } from './seeds.ts';
export type { SuiteState } from './suite-state.ts';
export type { Goal, Dest } from './goals.ts';
export { GOAL_FOCUS_NAMES, checkGoal, evaluateGoals, goalFocus, isHeld } from './goals.ts';
export { WORKSPACES, workspaceFor, type Workspace } from './workspace.ts';

/**
 * A crowded draw (no free spot for an object) is re-drawn from a derived stream of the same seed,
 * so every scene seed gives a scene (still deterministic).
 */
function robust(def: TaskDefinition<SuiteState>): TaskDefinition<SuiteState> {
  return {
    ...def,
    build(ctx) {
      for (let attempt = 0; ; attempt++) {
        try {
          return def.build(
            attempt === 0 ? ctx : { ...ctx, rng: makeRng(ctx.sceneSeed * 7 + 0x9e37 * attempt + 1) },
          );
        } catch (e) {
          if (!(e instanceof RobofmError && e.code === 'scene_placement_failed') || attempt >= 20) throw e;
        }
      }
    },
  };
}

const TASK_LIST: Array<TaskDefinition<SuiteState>> = [
  pickPlace,
  handover,
  stack,
  clearTable,
  button,
  push,
  drawer,
  fetchTask,
];

/** The task suite (issue 5), by name. */
export const SUITE_TASKS: Record<string, TaskDefinition<SuiteState>> = Object.fromEntries(
  TASK_LIST.map((t) => [t.name, robust(t)]),
);

/** Task × embodiment pairs of the benchmark suite (`--suite all`), in report order. */
export function suitePairs(): Array<{ task: string; embodiment: string }> {
  const out: Array<{ task: string; embodiment: string }> = [];
  for (const t of Object.values(SUITE_TASKS))
    for (const e of t.embodiments) out.push({ task: t.name, embodiment: e });
  return out;
}

export function suiteTask(name: string): TaskDefinition<SuiteState> {
  const t = SUITE_TASKS[name];
  if (!t) throw new ValidationError('task', name, `one of ${Object.keys(SUITE_TASKS).join(', ')}`);
  return t;
}

/** Registers the suite with the simulator's registry (so envs and `sim render` find them by name). */
export function registerSuiteTasks(): string[] {
  const done: string[] = [];
  for (const t of Object.values(SUITE_TASKS)) {
    registerTask(t);
    done.push(t.name);
  }
  return done;
}

registerSuiteTasks();
