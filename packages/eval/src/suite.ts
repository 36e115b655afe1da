/** The task suite and scripted experts live in @robofm/sim (src/tasks, src/experts); eval uses them from here. */
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
  ExpertPolicy,
  QUALITIES,
  type Quality,
  ScriptedExpert,
} from '@robofm/sim';
