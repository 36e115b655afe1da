export { RobofmError, ValidationError, describeValue } from './errors.ts';
export type { JointSpec, CameraSpec, EmbodimentSpec } from './embodiment.ts';
export { stateDim, actionDim, validateEmbodimentSpec } from './embodiment.ts';
export type {
  Observation,
  PolicyEmbodimentInfo,
  PolicyMetadata,
  PolicyTiming,
  ActionChunk,
  Policy,
} from './policy.ts';
export { chunkRow, policyEmbodimentInfo } from './policy.ts';
export type { ResetOptions, StepResult, Env, RobotState, RobotCommand, RobotDriver } from './env.ts';
export type { PdGains } from './pd-controller.ts';
export { pdGainsFromSpec, pdTorque } from './pd-controller.ts';
export type { LogLevel, LogSink } from './logger.ts';
export { Logger, logger } from './logger.ts';
export type { ProgressOptions } from './progress.ts';
export { ProgressBar, formatDuration } from './progress.ts';
export { startWorker } from './worker.ts';
export { encodePng, crc32 } from './png.ts';
export { Canvas, type Rgb, GLYPH_H, textWidth } from './canvas.ts';
export {
  EMBODIMENTS,
  embodimentNames,
  getEmbodiment,
  arm4Spec,
  arm6Spec,
  bimanualSpec,
  handSpec,
  humanoidSpec,
  mobileSpec,
} from './embodiments/index.ts';
export { editDistance, didYouMean } from './suggest.ts';
export { pickCumulative, Rng } from './sampling.ts';
