export type {
  DatasetInfo,
  EmbodimentFeatureOptions,
  FeatureDtype,
  FeatureSpec,
  Features,
  FrameValue,
  VideoInfo,
} from './features.ts';
export {
  CODEBASE_VERSION,
  DEFAULT_FEATURES,
  featuresFromEmbodiment,
  featureWidth,
  flatNames,
  formatPath,
  validateFeatureSpec,
  videoKeys,
} from './features.ts';
export type {
  AddFrameOptions,
  BeginEpisodeOptions,
  CommitResult,
  DatasetWriterOptions,
  Frame,
} from './dataset-writer.ts';
export { DatasetWriter } from './dataset-writer.ts';
export type { EpisodeMeta } from './metadata.ts';
export { loadEpisodes, loadInfo, loadStats, loadTasks } from './metadata.ts';
export type { DatasetStats, FeatureStats, StatKey } from './stats.ts';
export { aggregateStats, QUANTILE_KEYS, RunningStats, STAT_KEYS } from './stats.ts';
export type { ColumnKind, ColumnSpec, ParquetTable } from './parquet.ts';
export { encodeParquet, readParquet, readParquetMetadata } from './parquet.ts';
export type { DecodeOptions, VideoCodec, VideoProbe } from './video.ts';
export { chooseCodec, decodeFrames, probeVideo, VideoEncoder } from './video.ts';
export { recoverStaging, STAGING_DIR } from './staging.ts';
export type { EpisodeColumn, EpisodeData } from './dataset.ts';
export { LeRobotDataset } from './dataset.ts';
export type { EmbodimentNormStats, NormMode, NormStat, NormStatsTable } from './norm.ts';
export { actionsFromModel, NORM_EPS, normalize, padRows, stateToModel, unnormalize, unpadRows } from './norm.ts';
export type { SyntheticOptions } from './synthetic.ts';
export { syntheticEmbodiment, syntheticImage, writeSyntheticDataset } from './synthetic.ts';
