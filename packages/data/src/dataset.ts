import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RobofmError, ValidationError } from '@robofm/core';
import {
  type DatasetInfo,
  type Features,
  featureWidth,
  formatPath,
  LEGACY_EPISODES_PATH,
  LEGACY_EPISODES_STATS_PATH,
  LEGACY_TASKS_PATH,
  videoKeys,
} from './features.ts';
import { type EpisodeMeta, loadEpisodes, loadInfo, loadStats, loadTasks } from './metadata.ts';
import { readParquet } from './parquet.ts';
import { recoverStaging } from './staging.ts';
import { aggregateDatasetStats, type DatasetStats, fromAnyLayout } from './stats.ts';
import { decodeFrames } from './video.ts';

/** One column of an episode: numbers flattened row-major ([length, width]), or strings. */
export type EpisodeColumn = Float32Array | Float64Array | string[];

export interface EpisodeData {
  episodeIndex: number;
  length: number;
  /** Non-video features plus timestamp/frame_index/index/task_index. */
  columns: Record<string, EpisodeColumn>;
}

/**
 * Read access to a LeRobot dataset (v3.0, or v2.1 read-only). Metadata is loaded on open;
 * frames are read per episode (parquet row ranges) and video frames decoded on demand.
 */
export class LeRobotDataset {
  /** Row offset of each episode inside its data file. */
  private readonly rowOffset = new Map<number, number>();
  private readonly byIndex = new Map<number, EpisodeMeta>();

  private constructor(
    readonly root: string,
    readonly info: DatasetInfo,
    readonly episodes: EpisodeMeta[],
    readonly tasks: string[],
    readonly stats: DatasetStats | null,
  ) {
    const seen = new Map<string, number>();
    for (const e of episodes) {
      this.byIndex.set(e.episode_index, e);
      const key = `${e.data.chunk_index}/${e.data.file_index}`;
      const off = this.version === 'v3.0' ? (seen.get(key) ?? 0) : 0;
      this.rowOffset.set(e.episode_index, off);
      seen.set(key, off + e.length);
    }
  }

  /**
   * Opens a dataset. By default first finishes a writer's committed-but-unapplied commit and removes
   * a dead writer's abandoned staging (see staging.ts); `recover: false` opens strictly read-only.
   */
  static async open(root: string, opts: { recover?: boolean } = {}): Promise<LeRobotDataset> {
    if (!existsSync(root)) throw new RobofmError('file_missing', `${root}: dataset directory not found`);
    if (opts.recover !== false) recoverStaging(root);
    const info = loadInfo(root);
    const v = String(info.codebase_version);
    if (v === 'v3.0') {
      const episodes = await loadEpisodes(root, info.features);
      const tasks = await loadTasks(root);
      return new LeRobotDataset(root, info, episodes, tasks, loadStats(root));
    }
    if (v === 'v2.1' || v === 'v2.0') return LeRobotDataset.openLegacy(root, info);
    throw new RobofmError(
      'dataset_version',
      `${join(root, 'meta/info.json')}: codebase_version ${v} is not supported (v3.0, v2.1)`,
    );
  }

  private static async openLegacy(root: string, info: DatasetInfo): Promise<LeRobotDataset> {
    const lines = <T>(rel: string): T[] => {
      const p = join(root, rel);
      if (!existsSync(p)) throw new RobofmError('file_missing', `${p}: file not found (v2.1 metadata)`);
      return readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l, i) => {
          try {
            return JSON.parse(l) as T;
          } catch {
            throw new RobofmError('json_corrupt', `${p}:${i + 1}: not valid JSON`);
          }
        });
    };
    const eps = lines<{ episode_index: number; tasks: string[]; length: number }>(LEGACY_EPISODES_PATH);
    const tasks: string[] = [];
    for (const t of lines<{ task_index: number; task: string }>(LEGACY_TASKS_PATH))
      tasks[t.task_index] = t.task;
    const epStats = new Map<number, DatasetStats>();
    if (existsSync(join(root, LEGACY_EPISODES_STATS_PATH))) {
      for (const s of lines<{ episode_index: number; stats: Record<string, Record<string, unknown>> }>(
        LEGACY_EPISODES_STATS_PATH,
      )) {
        const st: DatasetStats = {};
        for (const [k, raw] of Object.entries(s.stats)) st[k] = fromAnyLayout(raw);
        epStats.set(s.episode_index, st);
      }
    }
    eps.sort((a, b) => a.episode_index - b.episode_index);
    let from = 0;
    const chunks = info.chunks_size || 1000;
    const episodes: EpisodeMeta[] = eps.map((e) => {
      const chunk = Math.floor(e.episode_index / chunks);
      const videos: EpisodeMeta['videos'] = {};
      for (const k of videoKeys(info.features))
        videos[k] = {
          chunk_index: chunk,
          file_index: e.episode_index,
          from_timestamp: 0,
          to_timestamp: e.length / info.fps,
        };
      const m: EpisodeMeta = {
        episode_index: e.episode_index,
        tasks: e.tasks ?? [],
        length: e.length,
        data: { chunk_index: chunk, file_index: e.episode_index },
        dataset_from_index: from,
        dataset_to_index: from + e.length,
        videos,
        meta: { chunk_index: 0, file_index: 0 },
        stats: epStats.get(e.episode_index) ?? {},
      };
      from += e.length;
      return m;
    });
    const parts = episodes.map((e) => e.stats).filter((s) => Object.keys(s).length);
    const stats = loadStats(root) ?? (parts.length ? aggregateDatasetStats(parts) : null);
    return new LeRobotDataset(root, info, episodes, tasks, stats);
  }

  get version(): string {
    return String(this.info.codebase_version);
  }
  get fps(): number {
    return this.info.fps;
  }
  get features(): Features {
    return this.info.features;
  }
  get videoKeys(): string[] {
    return videoKeys(this.info.features);
  }
  get numFrames(): number {
    return this.episodes.reduce((a, e) => a + e.length, 0);
  }

  episode(index: number): EpisodeMeta {
    const e = this.byIndex.get(index);
    if (!e)
      throw new ValidationError(
        'episode',
        index,
        `an episode index of ${this.root} (0..${this.episodes.length - 1})`,
      );
    return e;
  }

  dataPath(index: number): string {
    const e = this.episode(index);
    const v = { ...e.data, episode_chunk: e.data.chunk_index, episode_index: index };
    return join(this.root, formatPath(this.info.data_path, v));
  }

  videoPath(key: string, index: number): string {
    const e = this.episode(index);
    const vid = e.videos[key];
    if (!vid || !this.info.video_path)
      throw new ValidationError('video key', key, `one of ${this.videoKeys.join(', ')}`);
    const v = { ...vid, video_key: key, episode_chunk: vid.chunk_index, episode_index: index };
    return join(this.root, formatPath(this.info.video_path, v));
  }

  /** Reads the non-video columns of one episode (row range of its data file). */
  async readEpisode(index: number, columns?: string[]): Promise<EpisodeData> {
    const e = this.episode(index);
    const names =
      columns ??
      Object.keys(this.info.features).filter(
        (k) => this.info.features[k].dtype !== 'video' && this.info.features[k].dtype !== 'image',
      );
    const start = this.rowOffset.get(index) ?? 0;
    const path = this.dataPath(index);
    const t = await readParquet(path, { columns: names, rowStart: start, rowEnd: start + e.length });
    if (t.numRows !== e.length)
      throw new RobofmError(
        'data_truncated',
        `${path}: episode ${index} has ${t.numRows} rows, meta/episodes says length ${e.length}`,
      );
    const ep = t.columns.episode_index;
    if (ep && Number(ep[0]) !== index)
      throw new RobofmError(
        'data_inconsistent',
        `${path}: row ${start} has episode_index ${ep[0]}, expected ${index}`,
      );
    const out: Record<string, EpisodeColumn> = {};
    for (const k of names) out[k] = toColumn(this.info.features[k], t.columns[k], `${path}: column ${k}`);
    return { episodeIndex: index, length: e.length, columns: out };
  }

  /**
   * Streams `count` frames of camera `key` of episode `index` from frame `start` (resized if asked).
   * With `spanEpisodes`, the stream may continue into the following episodes of the same video file
   * (v3.0 files hold consecutive episodes back to back).
   */
  frames(
    key: string,
    index: number,
    opts: { start?: number; count?: number; width?: number; height?: number; spanEpisodes?: boolean } = {},
  ): AsyncGenerator<Uint8Array> {
    const e = this.episode(index);
    const f = this.info.features[key];
    if (f?.dtype !== 'video')
      throw new ValidationError('video key', key, `one of ${this.videoKeys.join(', ')}`);
    const start = opts.start ?? 0;
    const count = opts.count ?? e.length - start;
    if (start < 0 || count < 0 || (!opts.spanEpisodes && start + count > e.length))
      throw new ValidationError(
        'frames',
        `${start}..${start + count}`,
        `a frame range inside episode ${index} (length ${e.length})`,
      );
    const [h, w] = f.shape;
    return decodeFrames(this.videoPath(key, index), {
      start: e.videos[key].from_timestamp + start / this.fps,
      count,
      fps: this.fps,
      width: w,
      height: h,
      outWidth: opts.width ?? w,
      outHeight: opts.height ?? h,
    });
  }

  /** One decoded frame (HWC RGB). */
  async frame(
    key: string,
    index: number,
    frameIndex: number,
    size?: { width: number; height: number },
  ): Promise<Uint8Array> {
    for await (const f of this.frames(key, index, { start: frameIndex, count: 1, ...size })) return f;
    throw new RobofmError('video_truncated', `${this.videoPath(key, index)}: no frame ${frameIndex}`);
  }
}

function toColumn(f: Features[string] | undefined, values: unknown[], where: string): EpisodeColumn {
  if (!f) return values.map(String);
  if (f.dtype === 'string') return values.map((v) => String(v));
  const width = featureWidth(f);
  const out =
    f.dtype === 'float32' ? new Float32Array(values.length * width) : new Float64Array(values.length * width);
  values.forEach((v, i) => {
    if (width === 1 && !Array.isArray(v)) out[i] = Number(v);
    else {
      const arr = v as ArrayLike<unknown>;
      if (!arr || arr.length !== width)
        throw new RobofmError(
          'data_shape',
          `${where}: row ${i} has ${arr?.length} values, expected ${width}`,
        );
      for (let j = 0; j < width; j++) out[i * width + j] = Number(arr[j]);
    }
  });
  return out;
}
