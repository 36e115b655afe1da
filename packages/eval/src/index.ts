export { runEval, parseSuite, type EvalOptions } from './run-eval.ts';
export { resolvePolicy } from './resolve-policy.ts';
export { wilsonInterval } from './wilson.ts';
export { buildReport, summarize, jsonSummary } from './report.ts';
export type { EvalReport, SuiteReport, EpisodeResult, EdgeCaseStats } from './report.ts';
export { writeReport } from './html-report.ts';
export { barChartPng, type Bar, type BarChartOptions } from './bar-chart.ts';
export { writeMp4, tileFrames } from './video.ts';
export { createSuiteEnv, type SuiteEnv, type SuiteEnvOptions } from './suite-env.ts';
export { runEpisode, type EpisodeJob, type EpisodeRun } from './episode.ts';
export { runPool } from './worker-pool.ts';
export {
  collectDataset,
  collectScenes,
  expertPosePool,
  mixedTier,
  QUALITY_CODE,
  type CollectOptions,
  type CollectQuality,
  type CollectSummary,
} from './collect.ts';
export { renderSceneStrip, writeSceneGallery } from './scene-gallery.ts';
export {
  ExpertPolicy,
  HELDOUT_SEEDS,
  QUALITIES,
  type Quality,
  SUITE_TASKS,
  ScriptedExpert,
  type SuiteState,
  TRAIN_SEEDS,
  sceneSeed,
  suitePairs,
  suiteTask,
} from './suite.ts';
export {
  learningCurve,
  learningCurvePng,
  runCheckpoints,
  type CurvePoint,
  type CurveSeries,
  type RunCheckpoint,
} from './learning-curve.ts';
export {
  StageTracker,
  countStages,
  formatStages,
  REACH_CM,
  LIFT_CM,
  type EpisodeStages,
  type StageCounts,
} from './stages.ts';
export { focusCheck, type FocusCheckOptions, type FocusReport, type FocusErrorStats } from './focus.ts';
