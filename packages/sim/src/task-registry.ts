/**
 * Named tasks. The task suite (`./tasks`) registers its definitions here; envs, the vectorized
 * env's workers and `robofm sim render --task` look them up by name.
 */
import { didYouMean, ValidationError } from '@robofm/core';
import { freePlayTask } from './default-scene.ts';
import type { TaskDefinition } from './task.ts';

const TASKS = new Map<string, TaskDefinition<unknown>>();
let suite: Promise<void> | undefined;

/**
 * Imports the task suite (`./tasks`), which registers its tasks here. Lazy, so a body's default
 * scene (and the benchmarks) never depend on it; `SimEnv.create` calls it for unknown names.
 */
export function loadTaskSuite(): Promise<void> {
  suite ??= import('./tasks/index.ts').then(() => undefined);
  return suite;
}

export function hasTask(name: string): boolean {
  return TASKS.has(name);
}

export function registerTask<S>(task: TaskDefinition<S>): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(task.name))
    throw new ValidationError(
      'task.name',
      task.name,
      'a lower-case name of [a-z0-9_-] (pick_place, free-play)',
    );
  TASKS.set(task.name, task as TaskDefinition<unknown>);
}

export function taskNames(): string[] {
  return [...TASKS.keys()].sort();
}

/** The task named `name`; unknown names throw a ValidationError with a "did you mean" hint. */
export function getTask(name: string): TaskDefinition<unknown> {
  const t = TASKS.get(name);
  if (t) return t;
  const names = taskNames();
  const best = didYouMean(name, names);
  const hint = best
    ? ` (did you mean '${best}'?)`
    : suite
      ? ''
      : ' (the task suite registers on `await loadTaskSuite()`, which SimEnv.create does)';
  throw new ValidationError('task', name, `a registered task: ${names.join(', ')}${hint}`);
}

registerTask(freePlayTask);
