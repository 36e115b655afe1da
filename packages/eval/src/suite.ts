/**
 * The task suite and scripted experts live in @robofm/sim (packages/sim/src/tasks, experts). They
 * are imported through this one file so the path changes in one place once sim's index re-exports
 * them (requested in packages/sim/REQUESTS.md).
 */
export {
  SUITE_TASKS,
  suiteTask,
  suitePairs,
  sceneSeed,
  assertSeedIn,
  seedSplit,
  HELDOUT_SEEDS,
  TRAIN_SEEDS,
  type SuiteState,
  type SeedSplit,
} from '../../sim/src/tasks/index.ts';
export { ExpertPolicy, QUALITIES, type Quality, ScriptedExpert } from '../../sim/src/experts/index.ts';
