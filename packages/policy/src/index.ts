export type { ModelConfig, EmbodimentInfo } from './config.ts';
export { DEFAULT_MODEL_CONFIG, validateModelConfig, toModelActions, fromModelActions } from './config.ts';
export { BpeTokenizer, normalizeText, PAD_ID, BOS_ID, EOS_ID } from './tokenizer.ts';
export type { TokenizerJson } from './tokenizer.ts';
export { instructionCorpus, corpusWith } from './instruction-corpus.ts';
export type { FeatureStats, NormStats } from './normalize.ts';
export { normalizeVector, unnormalizeVector, validateNormStats, computeFeatureStats } from './normalize.ts';
export type { RawSample, ArrayBatch } from './processor.ts';
export { Processor, resizeHwcToChw } from './processor.ts';
/** The sampling generator is core's; re-exported for the model contract (`computeLoss(batch, rng)`). */
export { Rng } from '@robofm/core';
export type { KeypointMaps, TensorBatch } from './backbone.ts';
export {
  toTensorBatch,
  disposeBatch,
  VisionEncoder,
  PrefixEncoder,
  spatialSoftmax,
  sharpenFocus,
  focusLoss,
  heatmapPeak,
  keypointToUv,
} from './backbone.ts';
export { FlowVla, sampleFlowTimes } from './flow-vla.ts';
export { TokenVla, toBin, fromBin, binRange } from './token-vla.ts';
export type { VlaModel, CheckpointConfig, LoadedCheckpoint, SaveCheckpointOptions } from './checkpoint.ts';
export {
  createModel,
  saveCheckpoint,
  loadCheckpoint,
  readCheckpointConfig,
  resolveCheckpointDir,
  writeLatest,
  demoCheckpointDir,
  CHECKPOINT_FILES,
} from './checkpoint.ts';
export type { LocalPolicyOptions } from './local-policy.ts';
export { LocalPolicy } from './local-policy.ts';
