import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RobofmError } from '@robofm/core';
import { LeRobotDataset } from './dataset.ts';
import { columnKind } from './dataset-writer.ts';
import {
  CODEBASE_VERSION,
  type DatasetInfo,
  DEFAULT_DATA_FILE_SIZE_IN_MB,
  DEFAULT_DATA_PATH,
  DEFAULT_EPISODES_PATH,
  DEFAULT_VIDEO_FILE_SIZE_IN_MB,
  DEFAULT_VIDEO_PATH,
  formatPath,
  INFO_PATH,
  STATS_PATH,
  TASKS_PATH,
} from './features.ts';
import { encodeEpisodes, encodeTasks, type EpisodeMeta, statsToJson } from './metadata.ts';
import { encodeParquet, readParquet, writeFileSynced } from './parquet.ts';
import { aggregateDatasetStats, type DatasetStats, RunningStats } from './stats.ts';
import { concatVideos, probeVideo } from './video.ts';

export interface ConvertOptions {
  dataFilesSizeInMb?: number;
  videoFilesSizeInMb?: number;
  onEpisode?: (done: number, total: number) => void;
}

/**
 * Converts a LeRobot v2.1 dataset (one parquet and one mp4 per episode, jsonl metadata) into v3.0
 * at `out`: episodes concatenated into size-capped data and video files (videos stream-copied, no
 * re-encoding), per-episode stats with quantiles recomputed from the data. The source is never
 * modified; the result is built in `<out>.partial` and renamed into place when complete.
 */
export async function convertV21ToV30(
  src: string,
  out: string,
  opts: ConvertOptions = {},
): Promise<{ episodes: number; frames: number }> {
  const ds = await LeRobotDataset.open(src);
  if (ds.version !== 'v2.1' && ds.version !== 'v2.0')
    throw new RobofmError(
      'dataset_version',
      `${src}: codebase_version is ${ds.version}; convert expects v2.1`,
    );
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new RobofmError('dataset_exists', `${out}: output directory is not empty`);
  const tmp = `${out}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const dataCap = opts.dataFilesSizeInMb ?? DEFAULT_DATA_FILE_SIZE_IN_MB;
  const videoCap = opts.videoFilesSizeInMb ?? DEFAULT_VIDEO_FILE_SIZE_IN_MB;
  const chunks = ds.info.chunks_size || 1000;
  const next = (c: { chunk_index: number; file_index: number }) =>
    c.file_index === chunks - 1
      ? { chunk_index: c.chunk_index + 1, file_index: 0 }
      : { chunk_index: c.chunk_index, file_index: c.file_index + 1 };
  const features = structuredClone(ds.features);
  const dataKeys = Object.keys(features).filter(
    (k) => features[k].dtype !== 'video' && features[k].dtype !== 'image',
  );
  if (Object.values(features).some((f) => f.dtype === 'image'))
    throw new RobofmError(
      'unsupported_feature',
      `${src}: image features (PNG frames) are not supported; only video features`,
    );

  // Data files.
  let at = { chunk_index: 0, file_index: 0 };
  let cols: Record<string, unknown[]> = Object.fromEntries(dataKeys.map((k) => [k, []]));
  let groups: number[] = [];
  let sizeMb = 0;
  const flushData = () => {
    if (!groups.length) return;
    const p = join(tmp, formatPath(DEFAULT_DATA_PATH, at));
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSynced(
      p,
      encodeParquet(
        dataKeys.map((k) => ({ name: k, kind: columnKind(features[k]), data: cols[k] })),
        [],
        groups,
      ),
    );
    at = next(at);
    cols = Object.fromEntries(dataKeys.map((k) => [k, []]));
    groups = [];
    sizeMb = 0;
  };
  const metas: EpisodeMeta[] = [];
  let from = 0;
  for (const [i, e] of ds.episodes.entries()) {
    const path = ds.dataPath(e.episode_index);
    const epMb = statSync(path).size / (1024 * 1024);
    if (sizeMb + epMb >= dataCap && groups.length) flushData();
    const t = await readParquet(path, { columns: dataKeys });
    if (t.numRows !== e.length)
      throw new RobofmError(
        'data_truncated',
        `${path}: ${t.numRows} rows, episodes.jsonl says length ${e.length}`,
      );
    for (const k of dataKeys) cols[k].push(...t.columns[k]);
    groups.push(e.length);
    sizeMb += epMb;
    // Per-episode stats with quantiles, from the data itself; image stats carried over.
    const stats: DatasetStats = {};
    for (const k of dataKeys) {
      if (features[k].dtype === 'string') continue;
      const w = features[k].shape[0];
      const rs = new RunningStats(w);
      const flat = new Float64Array(e.length * w);
      t.columns[k].forEach((v, r) => {
        if (Array.isArray(v)) for (let j = 0; j < w; j++) flat[r * w + j] = Number(v[j]);
        else flat[r] = Number(v);
      });
      rs.update(flat, e.length);
      stats[k] = rs.result();
    }
    for (const k of ds.videoKeys) if (e.stats[k]) stats[k] = e.stats[k];
    metas.push({
      ...e,
      data: { ...at },
      dataset_from_index: from,
      dataset_to_index: from + e.length,
      videos: {},
      meta: { chunk_index: 0, file_index: 0 },
      stats,
    });
    from += e.length;
    opts.onEpisode?.(i + 1, ds.episodes.length);
  }
  flushData();

  // Video files: episodes stream-copied back to back, addressed by timestamps.
  for (const key of ds.videoKeys) {
    let vat = { chunk_index: 0, file_index: 0 };
    let batch: { path: string; meta: EpisodeMeta; duration: number }[] = [];
    let mb = 0;
    const flush = async () => {
      if (!batch.length) return;
      const p = join(tmp, formatPath(DEFAULT_VIDEO_PATH, { video_key: key, ...vat }));
      mkdirSync(join(p, '..'), { recursive: true });
      await concatVideos(
        batch.map((b) => b.path),
        p,
        join(tmp, 'concat.txt'),
      );
      let t = 0;
      for (const b of batch) {
        b.meta.videos[key] = { ...vat, from_timestamp: t, to_timestamp: t + b.duration };
        t += b.duration;
      }
      vat = next(vat);
      batch = [];
      mb = 0;
    };
    for (const [i, e] of ds.episodes.entries()) {
      const path = ds.videoPath(key, e.episode_index);
      const pr = probeVideo(path);
      const epMb = statSync(path).size / (1024 * 1024);
      if (mb + epMb >= videoCap && batch.length) await flush();
      batch.push({ path, meta: metas[i], duration: pr.duration > 0 ? pr.duration : e.length / ds.fps });
      mb += epMb;
    }
    await flush();
  }
  rmSync(join(tmp, 'concat.txt'), { force: true });

  const epPath = join(tmp, formatPath(DEFAULT_EPISODES_PATH, { chunk_index: 0, file_index: 0 }));
  mkdirSync(join(epPath, '..'), { recursive: true });
  writeFileSynced(epPath, encodeEpisodes(metas, features));
  writeFileSynced(join(tmp, TASKS_PATH), encodeTasks(ds.tasks));
  const global = aggregateDatasetStats(metas.map((m) => m.stats));
  writeFileSynced(join(tmp, STATS_PATH), `${JSON.stringify(statsToJson(global, features), null, 4)}\n`);
  const {
    total_chunks: _c,
    total_videos: _v,
    ...rest
  } = ds.info as DatasetInfo & { total_chunks?: number; total_videos?: number };
  const info: DatasetInfo = {
    ...rest,
    codebase_version: CODEBASE_VERSION,
    data_files_size_in_mb: dataCap,
    video_files_size_in_mb: videoCap,
    data_path: DEFAULT_DATA_PATH,
    video_path: ds.videoKeys.length ? DEFAULT_VIDEO_PATH : null,
    total_episodes: metas.length,
    total_frames: from,
    total_tasks: ds.tasks.length,
    splits: ds.info.splits ?? { train: `0:${metas.length}` },
    features,
  };
  writeFileSynced(join(tmp, INFO_PATH), `${JSON.stringify(info, null, 4)}\n`);
  if (existsSync(out)) rmSync(out, { recursive: true });
  renameSync(tmp, out);
  return { episodes: metas.length, frames: from };
}
