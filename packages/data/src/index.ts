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
export type { EmbodimentNormStats, NormMode, NormStat, NormStatsTable, PolicyTransforms } from './norm.ts';
export {
  actionsFromModel,
  NORM_EPS,
  normalize,
  padRows,
  stateToModel,
  toPolicyNormStats,
  unnormalize,
  unpadRows,
} from './norm.ts';
export type { SyntheticOptions } from './synthetic.ts';
export { syntheticEmbodiment, syntheticImage, writeSyntheticDataset } from './synthetic.ts';
export type { AugmentOptions, Batch } from './batch-producer.ts';
export type { DatasetSource, LoaderOptions } from './loader.ts';
export { Loader, normStatsFromDatasets, splitEpisodes } from './loader.ts';
export type { ComputedStats, ComputeStatsOptions } from './dataset-stats.ts';
export { computeStats, EMBODIMENT_STATS_PATH, normStatsFromComputed, writeStats } from './dataset-stats.ts';
export type { ConvertOptions } from './convert.ts';
export { convertV21ToV30 } from './convert.ts';
export type { Problem, ValidateOptions } from './validate.ts';
export { formatProblem, validateDataset } from './validate.ts';
export type { ViewOptions, ViewResult } from './view.ts';
export { plotCurves, viewEpisode } from './view.ts';
export type { DataBenchOptions, DataBenchResult } from './bench.ts';
export { benchData } from './bench.ts';
export { decodeFramesInto } from './video.ts';
export { aggregateDatasetStats, ImageStats } from './stats.ts';
export { writeV21Dataset } from './v21-fixture.ts';
