export type {
  Quat,
  Rgba,
  Vec3,
  ShapeDesc,
  ObjectDesc,
  FixtureDesc,
  LightDesc,
  SceneDescription,
} from './scene.ts';
export type {
  TaskBuildContext,
  TaskBuild,
  TaskEvaluation,
  TaskDefinition,
  ContactInfo,
  Pose,
  SimWorld,
} from './task.ts';
export type { Rng } from './rng.ts';
export { makeRng } from './rng.ts';
export { registerTask, getTask, taskNames, loadTaskSuite } from './task-registry.ts';
export { defaultScene, freePlayTask } from './default-scene.ts';
export type { SimEnvOptions } from './env.ts';
export { SimEnv } from './env.ts';
export type { DriveMode } from './sim-world.ts';
export { MujocoWorld } from './sim-world.ts';
export type { RenderResult } from './renderer.ts';
export { RayRenderer } from './renderer.ts';
export { checkAction, ACTION_TOLERANCE } from './action.ts';
export { loadMujocoModule, liveHandles } from './mujoco.ts';
export type { MjcfResult } from './mjcf.ts';
export { buildMjcf } from './mjcf.ts';
export type {
  RobotDescription,
  LinkDescr,
  GeomDescr,
  JointDescr,
  CameraDescr,
  GripperDescr,
} from './robots/description.ts';
export { getRobot, robotNames } from './robots/index.ts';
export { solveIk, type IkOptions, type IkResult } from './ik.ts';
export * as math3 from './math3.ts';
export type { SimDriverOptions } from './sim-driver.ts';
export { SimDriver } from './sim-driver.ts';
export type { VecEnvOptions } from './vec-env.ts';
export { VecEnv } from './vec-env.ts';
export type { SimBenchOptions, SimBenchResult } from './bench.ts';
export { benchSim, benchXml, findTestspeed } from './bench.ts';
export { snapshotPng } from './snapshot.ts';
export type { SeedSplit, SuiteState } from './tasks/index.ts';
export {
  assertSeedIn,
  GOAL_FOCUS_NAMES,
  goalFocus,
  HELDOUT_SEEDS,
  isHeld,
  SUITE_TASKS,
  sceneSeed,
  seedSplit,
  suitePairs,
  suiteTask,
  TRAIN_SEEDS,
} from './tasks/index.ts';
export type { Quality } from './experts/index.ts';
export { ExpertPolicy, QUALITIES, ScriptedExpert } from './experts/index.ts';
