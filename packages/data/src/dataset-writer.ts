import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Logger, logger as rootLogger, RobofmError, ValidationError } from '@robofm/core';
import {
  CODEBASE_VERSION,
  checkFrameValue,
  type DatasetInfo,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_DATA_FILE_SIZE_IN_MB,
  DEFAULT_DATA_PATH,
  DEFAULT_EPISODES_PATH,
  DEFAULT_FEATURES,
  DEFAULT_VIDEO_FILE_SIZE_IN_MB,
  DEFAULT_VIDEO_PATH,
  type Features,
  type FrameValue,
  formatPath,
  INFO_PATH,
  STATS_PATH,
  TASKS_PATH,
  validateFeatureSpec,
  videoKeys,
} from './features.ts';
import {
  encodeEpisodes,
  encodeTasks,
  type EpisodeMeta,
  loadEpisodes,
  loadInfo,
  loadStats,
  loadTasks,
  statsToJson,
  withDefaultFeatures,
} from './metadata.ts';
import { type ColumnKind, type ColumnSpec, encodeParquet, readParquet, writeFileSynced } from './parquet.ts';
import {
  applyJournal,
  commitJournal,
  fsyncPath,
  recoverStaging,
  releaseLock,
  stagingPath,
  takeLock,
} from './staging.ts';
import { aggregateStats, type DatasetStats, ImageStats, RunningStats } from './stats.ts';
import { chooseCodec, codecName, concatVideos, VideoEncoder, type VideoCodec } from './video.ts';

/**
 * Appending rewrites the current data / episodes file, so besides LeRobot's size caps robofm also
 * starts a new file at these counts: a commit never rewrites more than this (readers do not care how
 * many files there are).
 */
export const DATA_FILE_MAX_FRAMES = 20_000;
export const EPISODES_FILE_MAX_EPISODES = 500;

export interface DatasetWriterOptions {
  fps: number;
  /** LeRobot `robot_type`. */
  robotType?: string | null;
  /** Features without the five defaults (timestamp, frame_index, …), which are added. */
  features: Features;
  videoCodec?: 'auto' | VideoCodec;
  chunksSize?: number;
  dataFilesSizeInMb?: number;
  videoFilesSizeInMb?: number;
  logger?: Logger;
  /** Crash-test hooks (tests kill the process here). */
  testHooks?: WriterTestHooks;
}

export interface WriterTestHooks {
  afterJournal?: () => void;
  afterRename?: (i: number) => void;
}

export interface BeginEpisodeOptions {
  /** The instruction of this episode (LeRobot task). */
  task: string;
}

/** One frame: every non-default feature of the dataset. Images are HWC RGB `Uint8Array`. */
export type Frame = Record<string, FrameValue>;

export interface AddFrameOptions {
  /** Seconds from episode start; default frame_index / fps. Must increase strictly. */
  timestamp?: number;
  /** Per-frame task override (default: the episode's task). */
  task?: string;
}

export interface CommitResult {
  episodeIndex: number;
  length: number;
}

export function columnKind(f: Features[string]): ColumnKind {
  const scalar = f.dtype as Exclude<typeof f.dtype, 'video' | 'image'>;
  return f.shape.length === 1 && f.shape[0] === 1 ? scalar : (`list<${scalar}>` as ColumnKind);
}

interface OpenEpisode {
  index: number;
  task: string;
  tasks: string[];
  frames: number;
  timestamps: number[];
  taskNames: string[];
  values: Record<string, FrameValue[]>;
  encoders: Record<string, VideoEncoder>;
  imageStats: Record<string, ImageStats>;
  dir: string;
}

/**
 * Streaming, crash-safe LeRobot v3.0 episode writer. Frames are appended as they come (camera
 * frames go straight into ffmpeg); `commitEpisode` makes the episode part of the dataset
 * atomically (see staging.ts); `open` resumes a dataset after a restart. One writer per dataset
 * (a lock file under `.robofm-staging/` enforces it).
 */
export class DatasetWriter {
  private ep: OpenEpisode | null = null;
  private closed = false;
  /** Rows of the current data file, loaded lazily (appending rewrites that file). */
  private dataCache: { rel: string; columns: Record<string, unknown[]> } | null = null;
  private readonly log: Logger;
  private hooks: WriterTestHooks = {};

  private constructor(
    readonly root: string,
    private info: DatasetInfo,
    private tasks: string[],
    private episodes: EpisodeMeta[],
    private stats: DatasetStats,
    private readonly codec: Record<string, VideoCodec>,
    log: Logger,
  ) {
    this.log = log.child({ dataset: root });
  }

  /** Creates a new, empty dataset in `dir` (which must not exist or be empty). */
  static async create(dir: string, opts: DatasetWriterOptions): Promise<DatasetWriter> {
    if (!(Number.isInteger(opts.fps) && opts.fps > 0))
      throw new ValidationError('fps', opts.fps, 'a positive integer');
    for (const k of ['dataFilesSizeInMb', 'videoFilesSizeInMb'] as const)
      if (opts[k] !== undefined && !(opts[k] > 0))
        throw new ValidationError(k, opts[k], 'a positive number of MB');
    if (opts.chunksSize !== undefined && !(Number.isInteger(opts.chunksSize) && opts.chunksSize > 0))
      throw new ValidationError('chunksSize', opts.chunksSize, 'a positive integer');
    if (!opts.features || typeof opts.features !== 'object')
      throw new ValidationError('features', opts.features, 'a features object');
    for (const [k, f] of Object.entries(opts.features)) {
      if (k in DEFAULT_FEATURES) continue;
      validateFeatureSpec(k, f);
      if (f.dtype === 'image')
        throw new ValidationError(`features.${k}.dtype`, 'image', "'video' (robofm stores cameras as mp4)");
    }
    if (existsSync(dir) && readdirSync(dir).length > 0)
      throw new RobofmError(
        'dataset_exists',
        `${dir}: directory is not empty (use DatasetWriter.open to append)`,
      );
    mkdirSync(dir, { recursive: true });
    const features = withDefaultFeatures(structuredClone(opts.features));
    const codec: Record<string, VideoCodec> = {};
    for (const k of videoKeys(features)) {
      const [h, w, c] = features[k].shape;
      codec[k] = chooseCodec(w, h, opts.videoCodec ?? 'auto');
      features[k].info = {
        'video.height': h,
        'video.width': w,
        'video.codec': codecName(codec[k]),
        'video.pix_fmt': 'yuv420p',
        'video.is_depth_map': false,
        'video.fps': opts.fps,
        'video.channels': c,
        has_audio: false,
      };
    }
    const info: DatasetInfo = {
      codebase_version: CODEBASE_VERSION,
      robot_type: opts.robotType ?? null,
      total_episodes: 0,
      total_frames: 0,
      total_tasks: 0,
      chunks_size: opts.chunksSize ?? DEFAULT_CHUNK_SIZE,
      data_files_size_in_mb: opts.dataFilesSizeInMb ?? DEFAULT_DATA_FILE_SIZE_IN_MB,
      video_files_size_in_mb: opts.videoFilesSizeInMb ?? DEFAULT_VIDEO_FILE_SIZE_IN_MB,
      fps: opts.fps,
      splits: {},
      data_path: DEFAULT_DATA_PATH,
      video_path: videoKeys(features).length ? DEFAULT_VIDEO_PATH : null,
      features,
    };
    takeLock(dir);
    mkdirSync(join(dir, 'meta'), { recursive: true });
    const tmp = stagingPath(dir, 'info.json');
    writeFileSynced(tmp, `${JSON.stringify(info, null, 4)}\n`);
    commitJournal(dir, { renames: [[join('.robofm-staging', 'info.json'), INFO_PATH]] });
    applyJournal(dir);
    const w = new DatasetWriter(dir, info, [], [], {}, codec, opts.logger ?? rootLogger);
    w.hooks = opts.testHooks ?? {};
    return w;
  }

  /** Opens an existing v3.0 dataset to append episodes (finishes or discards an interrupted commit first). */
  static async open(
    dir: string,
    opts: { logger?: Logger; videoCodec?: 'auto' | VideoCodec; testHooks?: WriterTestHooks } = {},
  ): Promise<DatasetWriter> {
    if (!existsSync(join(dir, INFO_PATH)))
      throw new RobofmError('file_missing', `${join(dir, INFO_PATH)}: not a dataset (no info.json)`);
    const rec = recoverStaging(dir);
    takeLock(dir);
    const info = loadInfo(dir);
    if (info.codebase_version !== CODEBASE_VERSION)
      throw new RobofmError(
        'dataset_version',
        `${dir}: codebase_version ${info.codebase_version}; convert to v3.0 first (robofm data convert)`,
      );
    const episodes = await loadEpisodes(dir, info.features);
    const tasks = await loadTasks(dir);
    const stats = loadStats(dir) ?? {};
    const codec: Record<string, VideoCodec> = {};
    for (const k of videoKeys(info.features)) {
      const c = info.features[k].info?.['video.codec'];
      codec[k] =
        c === 'av1'
          ? 'libsvtav1'
          : c === 'h264'
            ? 'libx264'
            : chooseCodec(info.features[k].shape[1], info.features[k].shape[0], opts.videoCodec ?? 'auto');
    }
    const w = new DatasetWriter(dir, info, tasks, episodes, stats, codec, opts.logger ?? rootLogger);
    w.hooks = opts.testHooks ?? {};
    if (rec.replayed) w.log.warn('finished an interrupted episode commit');
    if (episodes.length !== info.total_episodes)
      throw new RobofmError(
        'dataset_inconsistent',
        `${dir}: info.json total_episodes=${info.total_episodes} but meta/episodes has ${episodes.length}`,
      );
    return w;
  }

  /** `open` when `dir` holds a dataset, else `create`. */
  static async openOrCreate(dir: string, opts: DatasetWriterOptions): Promise<DatasetWriter> {
    return existsSync(join(dir, INFO_PATH)) ? DatasetWriter.open(dir, opts) : DatasetWriter.create(dir, opts);
  }

  get features(): Features {
    return this.info.features;
  }
  get totalEpisodes(): number {
    return this.info.total_episodes;
  }
  get totalFrames(): number {
    return this.info.total_frames;
  }
  get fps(): number {
    return this.info.fps;
  }
  get episodeOpen(): boolean {
    return this.ep !== null;
  }

  beginEpisode(opts: BeginEpisodeOptions): void {
    this.assertOpen();
    if (this.ep)
      throw new RobofmError(
        'episode_open',
        `episode ${this.ep.index} is still open; commit or abort it first`,
      );
    if (typeof opts?.task !== 'string' || !opts.task)
      throw new ValidationError('beginEpisode.task', opts?.task, 'a non-empty instruction string');
    const index = this.info.total_episodes;
    const dir = stagingPath(this.root, 'episode');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const encoders: Record<string, VideoEncoder> = {};
    const imageStats: Record<string, ImageStats> = {};
    for (const k of videoKeys(this.info.features)) {
      const [h, w] = this.info.features[k].shape;
      encoders[k] = new VideoEncoder(join(dir, `${k}.mp4`), w, h, this.info.fps, this.codec[k]);
      imageStats[k] = new ImageStats(h * w);
    }
    const values: Record<string, FrameValue[]> = {};
    for (const k of this.userColumns()) values[k] = [];
    this.ep = {
      index,
      task: opts.task,
      tasks: [opts.task],
      frames: 0,
      timestamps: [],
      taskNames: [],
      values,
      encoders,
      imageStats,
      dir,
    };
  }

  /** Appends one frame. Checks every feature first: a bad frame throws and changes nothing. */
  async addFrame(frame: Frame, opts: AddFrameOptions = {}): Promise<void> {
    this.assertOpen();
    const ep = this.ep;
    if (!ep) throw new RobofmError('no_episode', 'addFrame: no open episode; call beginEpisode first');
    if (!frame || typeof frame !== 'object')
      throw new ValidationError('frame', frame, 'an object of feature values');
    const features = this.info.features;
    const problems: string[] = [];
    for (const [k, f] of Object.entries(features)) {
      if (k in DEFAULT_FEATURES) continue;
      const p = checkFrameValue(k, f, frame[k]);
      if (p) problems.push(p);
    }
    for (const k of Object.keys(frame)) {
      if (!(k in features) && k !== 'task')
        problems.push(`${k}: not a feature of this dataset (has ${Object.keys(features).join(', ')})`);
    }
    const ts = opts.timestamp ?? ep.frames / this.info.fps;
    if (!Number.isFinite(ts)) problems.push(`timestamp: got ${ts}, expected a finite number of seconds`);
    const prev = ep.timestamps[ep.timestamps.length - 1];
    if (prev !== undefined && !(ts > prev))
      problems.push(`timestamp: got ${ts} after ${prev}, expected strictly increasing timestamps`);
    if (problems.length)
      throw new ValidationError(`frame ${ep.frames} of episode ${ep.index}`, frame, problems.join('; '));
    for (const [k, enc] of Object.entries(ep.encoders)) {
      const rgb = frame[k] as Uint8Array;
      ep.imageStats[k].update(rgb);
      await enc.write(rgb);
    }
    for (const k of this.userColumns()) {
      const v = frame[k];
      ep.values[k].push(ArrayBuffer.isView(v) ? (Array.from(v as ArrayLike<number>) as number[]) : v);
    }
    const task = opts.task ?? (typeof frame.task === 'string' ? frame.task : ep.task);
    if (!ep.tasks.includes(task)) ep.tasks.push(task);
    ep.taskNames.push(task);
    ep.timestamps.push(ts);
    ep.frames++;
  }

  /** Drops the open episode; the dataset is untouched. */
  async abortEpisode(): Promise<void> {
    const ep = this.ep;
    if (!ep) return;
    this.ep = null;
    for (const enc of Object.values(ep.encoders)) enc.abort();
    rmSync(ep.dir, { recursive: true, force: true });
  }

  /** Makes the open episode part of the dataset atomically and updates per-episode and global stats. */
  async commitEpisode(): Promise<CommitResult> {
    this.assertOpen();
    const ep = this.ep;
    if (!ep) throw new RobofmError('no_episode', 'commitEpisode: no open episode');
    if (ep.frames === 0)
      throw new RobofmError('empty_episode', `episode ${ep.index} has no frames; abort it instead`);
    this.ep = null;
    try {
      return await this.commit(ep);
    } catch (e) {
      for (const enc of Object.values(ep.encoders)) enc.abort();
      rmSync(stagingPath(this.root, 'txn'), { recursive: true, force: true });
      rmSync(ep.dir, { recursive: true, force: true });
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.abortEpisode();
    this.closed = true;
    releaseLock(this.root);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new RobofmError('writer_closed', `${this.root}: writer is closed`);
  }

  private userColumns(): string[] {
    return Object.keys(this.info.features).filter(
      (k) => !(k in DEFAULT_FEATURES) && this.info.features[k].dtype !== 'video',
    );
  }

  private nextIndices(prev: { chunk_index: number; file_index: number } | undefined, full: boolean) {
    if (!prev) return { chunk_index: 0, file_index: 0 };
    if (!full) return prev;
    return prev.file_index === this.info.chunks_size - 1
      ? { chunk_index: prev.chunk_index + 1, file_index: 0 }
      : { chunk_index: prev.chunk_index, file_index: prev.file_index + 1 };
  }

  private sizeMb(rel: string): number {
    const p = join(this.root, rel);
    return existsSync(p) ? statSync(p).size / (1024 * 1024) : 0;
  }

  private async commit(ep: OpenEpisode): Promise<CommitResult> {
    const root = this.root;
    const info = this.info;
    const n = ep.frames;
    for (const enc of Object.values(ep.encoders)) await enc.finish();
    const txn = join('.robofm-staging', 'txn');
    rmSync(join(root, txn), { recursive: true, force: true });
    const renames: [string, string][] = [];
    const stage = (rel: string): string => {
      const p = join(root, txn, rel);
      mkdirSync(dirname(p), { recursive: true });
      renames.push([join(txn, rel), rel]);
      return p;
    };
    const last = this.episodes[this.episodes.length - 1];

    // Tasks.
    const newTasks = ep.tasks.filter((t) => !this.tasks.includes(t));
    const tasks = [...this.tasks, ...newTasks];
    if (newTasks.length) writeFileSynced(stage(TASKS_PATH), encodeTasks(tasks));

    // Data rows: appended to the current data file unless it is full.
    const fromIndex = info.total_frames;
    const prevData = last?.data;
    const inFile = (
      at: { chunk_index: number; file_index: number } | undefined,
      sel: (e: EpisodeMeta) => typeof at,
    ) =>
      this.episodes.filter(
        (e) => sel(e)?.chunk_index === at?.chunk_index && sel(e)?.file_index === at?.file_index,
      );
    const dataFull = prevData
      ? this.sizeMb(formatPath(info.data_path, prevData)) >= info.data_files_size_in_mb ||
        inFile(prevData, (e) => e.data).reduce((a, e) => a + e.length, 0) >= DATA_FILE_MAX_FRAMES
      : false;
    const data = this.nextIndices(prevData, dataFull);
    const dataRel = formatPath(info.data_path, data);
    const cols = await this.dataColumns(dataRel, prevData && !dataFull);
    const user = this.userColumns();
    for (const k of user) cols[k].push(...ep.values[k]);
    for (let i = 0; i < n; i++) {
      cols.timestamp.push(ep.timestamps[i]);
      cols.frame_index.push(i);
      cols.episode_index.push(ep.index);
      cols.index.push(fromIndex + i);
      cols.task_index.push(tasks.indexOf(ep.taskNames[i]));
    }
    const specs: ColumnSpec[] = Object.keys(info.features)
      .filter((k) => info.features[k].dtype !== 'video')
      .map((k) => ({ name: k, kind: columnKind(info.features[k]), data: cols[k] }));
    // One row group per episode (as LeRobot writes), so a reader fetches only that episode's pages.
    const groups = this.episodes
      .filter((e) => e.data.chunk_index === data.chunk_index && e.data.file_index === data.file_index)
      .map((e) => e.length);
    writeFileSynced(stage(dataRel), encodeParquet(specs, [], [...groups, n]));

    // Videos: the episode's mp4 appended to the current file of each camera unless it is full.
    const videos: EpisodeMeta['videos'] = {};
    for (const k of videoKeys(info.features)) {
      const prev = last?.videos[k];
      const prevRel = prev ? formatPath(info.video_path as string, { video_key: k, ...prev }) : '';
      const full = prev ? this.sizeMb(prevRel) >= info.video_files_size_in_mb : false;
      const at = this.nextIndices(prev, full);
      const rel = formatPath(info.video_path as string, { video_key: k, ...at });
      const epMp4 = join(ep.dir, `${k}.mp4`);
      const from = prev && !full ? prev.to_timestamp : 0;
      const out = stage(rel);
      if (prev && !full)
        await concatVideos([join(root, prevRel), epMp4], out, join(ep.dir, `${k}.concat.txt`));
      else rmSync(out, { force: true });
      if (!(prev && !full)) {
        // First episode of a file: the episode's mp4 is the file.
        mkdirSync(dirname(out), { recursive: true });
        renameSync(epMp4, out);
      }
      fsyncPath(out);
      videos[k] = { ...at, from_timestamp: from, to_timestamp: from + n / info.fps };
    }

    // Per-episode statistics.
    const epStats: DatasetStats = {};
    for (const k of Object.keys(info.features)) {
      const f = info.features[k];
      if (f.dtype === 'string') continue;
      if (f.dtype === 'video') {
        epStats[k] = ep.imageStats[k].result(n);
        continue;
      }
      const width = f.shape[0];
      const rs = new RunningStats(width);
      const column = cols[k].slice(cols[k].length - n);
      const flat = new Float64Array(n * width);
      column.forEach((v, i) => {
        if (Array.isArray(v)) for (let j = 0; j < width; j++) flat[i * width + j] = Number(v[j]);
        else flat[i] = typeof v === 'boolean' ? Number(v) : Number(v);
      });
      rs.update(flat, n);
      epStats[k] = rs.result();
    }

    // Episodes metadata: appended to the current episodes file unless it is full.
    const prevMeta = last?.meta;
    const metaFull = prevMeta
      ? this.sizeMb(formatPath(DEFAULT_EPISODES_PATH, prevMeta)) >= info.data_files_size_in_mb ||
        inFile(prevMeta, (e) => e.meta).length >= EPISODES_FILE_MAX_EPISODES
      : false;
    const meta = this.nextIndices(prevMeta, metaFull);
    const row: EpisodeMeta = {
      episode_index: ep.index,
      tasks: ep.tasks,
      length: n,
      data,
      dataset_from_index: fromIndex,
      dataset_to_index: fromIndex + n,
      videos,
      meta,
      stats: epStats,
    };
    const sameFile = this.episodes.filter(
      (e) => e.meta.chunk_index === meta.chunk_index && e.meta.file_index === meta.file_index,
    );
    writeFileSynced(
      stage(formatPath(DEFAULT_EPISODES_PATH, meta)),
      encodeEpisodes([...sameFile, row], info.features),
    );

    // Global statistics (exact count/mean/std/min/max; count-weighted quantiles).
    const stats: DatasetStats = {};
    for (const [k, s] of Object.entries(epStats))
      stats[k] = this.stats[k] ? aggregateStats([this.stats[k], s]) : s;
    writeFileSynced(stage(STATS_PATH), `${JSON.stringify(statsToJson(stats, info.features), null, 4)}\n`);

    const newInfo: DatasetInfo = {
      ...info,
      total_episodes: info.total_episodes + 1,
      total_frames: info.total_frames + n,
      total_tasks: tasks.length,
      splits: { train: `0:${info.total_episodes + 1}` },
    };
    writeFileSynced(stage(INFO_PATH), `${JSON.stringify(newInfo, null, 4)}\n`);

    commitJournal(root, { renames });
    this.hooks.afterJournal?.();
    applyJournal(root, this.hooks.afterRename);
    rmSync(join(root, txn), { recursive: true, force: true });
    rmSync(ep.dir, { recursive: true, force: true });

    this.info = newInfo;
    this.tasks = tasks;
    this.episodes.push(row);
    this.stats = stats;
    this.dataCache = { rel: dataRel, columns: cols };
    this.log.debug('episode committed', { episode: ep.index, frames: n });
    return { episodeIndex: ep.index, length: n };
  }

  /** Columns of the data file `rel`: cached, re-read from disk, or empty for a new file. */
  private async dataColumns(rel: string, existing: boolean | undefined): Promise<Record<string, unknown[]>> {
    const names = Object.keys(this.info.features).filter((k) => this.info.features[k].dtype !== 'video');
    if (existing && this.dataCache?.rel === rel) {
      const c: Record<string, unknown[]> = {};
      for (const k of names) c[k] = [...this.dataCache.columns[k]];
      return c;
    }
    if (existing) {
      const t = await readParquet(join(this.root, rel), { columns: names });
      return t.columns;
    }
    return Object.fromEntries(names.map((k) => [k, [] as unknown[]]));
  }
}
