import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { RobofmError, Rng, startWorker, ValidationError } from '@robofm/core';
import {
  type AugmentOptions,
  type Batch,
  BatchProducer,
  hashSeed,
  type ProducerConfig,
  type SourceConfig,
} from './batch-producer.ts';
import { LeRobotDataset } from './dataset.ts';
import type { EmbodimentNormStats, NormMode, NormStatsTable } from './norm.ts';
import { EMBODIMENT_STATS_PATH } from './dataset-stats.ts';
import { readJson } from './metadata.ts';
import { aggregateStats, type FeatureStats, fromAnyLayout } from './stats.ts';

interface Deferred {
  resolve: (b: Batch) => void;
  reject: (e: Error) => void;
  promise: Promise<Batch>;
}

export interface DatasetSource {
  /** Dataset directory (LeRobot v3.0 or v2.1). */
  root: string;
  /** Mixture weight; default: the source's size in the chosen weighting (frames or episodes). */
  weight?: number;
  /** Embodiment name used for normalization; default: info.json robot_type, else the folder name. */
  embodiment?: string;
  /** Video feature key per camera slot; default: the dataset's video keys in info.json order. */
  cameras?: (string | null)[];
}

export interface LoaderOptions {
  sources: DatasetSource[];
  batchSize?: number;
  /** Action chunk length H. */
  horizon?: number;
  /** State/action pad width (default 32). */
  padWidth?: number;
  /** Images are resized to this size (default 96×96). */
  imageWidth?: number;
  imageHeight?: number;
  /** Camera slots per sample (default: most cameras of any source). */
  cameraSlots?: number;
  imageDtype?: 'uint8' | 'float32';
  /** Normalization per embodiment: q01/q99 quantile (default), z-score, or none. */
  norm?: NormMode;
  /** Use these stats instead of the datasets' stats.json (e.g. a checkpoint's norm_stats.json). */
  normStats?: NormStatsTable;
  /** Episodes sampled uniformly ('episodes') or by length ('frames', default). */
  weighting?: 'episodes' | 'frames';
  split?: 'train' | 'val' | 'all';
  /** Fraction of each source's episodes held out for validation (default 0.1, at least one when ≥ 2 episodes). */
  valFraction?: number;
  seed?: number;
  /** Training-only image augmentation (ignored for split 'val'). */
  augment?: AugmentOptions;
  /** worker_threads producing batches (0 = in this thread). Default 2. */
  workers?: number;
  /** Batches in flight per worker (default 2). */
  prefetch?: number;
  /** Frame cache per worker, MiB (default 256). */
  cacheMb?: number;
  /** Blocks of consecutive episodes active at once per worker (default 4). */
  poolSize?: number;
  /** Frames per block, decoded by one ffmpeg process per camera (default 512). */
  blockFrames?: number;
  /** Samples drawn per frame of a block before it is replaced (default 1). */
  reuse?: number;
}

/** Deterministic train/val split by episode: a seeded permutation, the first ⌈n·f⌉ go to validation. */
export function splitEpisodes(
  episodes: number[],
  valFraction: number,
  seed: number,
): { train: number[]; val: number[] } {
  if (!(valFraction >= 0 && valFraction < 1))
    throw new ValidationError('valFraction', valFraction, 'a number in [0, 1)');
  const perm = [...episodes];
  const rng = new Rng(hashSeed(seed, 0x51117));
  for (let i = perm.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const nVal = perm.length >= 2 && valFraction > 0 ? Math.max(1, Math.ceil(perm.length * valFraction)) : 0;
  const val = perm.slice(0, nVal).sort((a, b) => a - b);
  const train = perm.slice(nVal).sort((a, b) => a - b);
  return { train, val };
}

/** Per-embodiment normalization stats from the datasets' stats.json (sources of one embodiment combined). */
export function normStatsFromDatasets(
  sets: { embodiment: string; dataset: LeRobotDataset }[],
): NormStatsTable {
  const parts = new Map<string, Record<string, FeatureStats[]>>();
  for (const { embodiment, dataset } of sets) {
    // Exact per-embodiment stats from `robofm data stats --write` when present, else stats.json.
    const perPath = join(dataset.root, EMBODIMENT_STATS_PATH);
    const per = existsSync(perPath)
      ? readJson<Record<string, Record<string, Record<string, unknown>>>>(perPath)[embodiment]
      : undefined;
    const stats = per
      ? Object.fromEntries(Object.entries(per).map(([k, v]) => [k, fromAnyLayout(v)]))
      : dataset.stats;
    if (!stats)
      throw new RobofmError(
        'stats_missing',
        `${dataset.root}: meta/stats.json missing (run robofm data stats --write)`,
      );
    const e = parts.get(embodiment) ?? {};
    for (const key of ['observation.state', 'action']) {
      if (!stats[key]) throw new RobofmError('stats_missing', `${dataset.root}: stats.json has no '${key}'`);
      e[key] = [...(e[key] ?? []), stats[key]];
    }
    parts.set(embodiment, e);
  }
  const out: NormStatsTable = {};
  for (const [emb, keys] of parts) {
    const es: EmbodimentNormStats = {};
    for (const [key, list] of Object.entries(keys)) {
      const a = aggregateStats(list);
      es[key] = { mean: a.mean, std: a.std, q01: a.q01, q99: a.q99, min: a.min, max: a.max };
    }
    out[emb] = es;
  }
  return out;
}

/**
 * Infinite, deterministic stream of training batches from a weighted mixture of datasets. Batches
 * are produced by worker threads (each with its own bounded frame cache) and returned in a fixed
 * round-robin order, so the stream depends only on the options and the seed.
 */
export class Loader implements AsyncIterable<Batch> {
  private readonly workers: Worker[] = [];
  private local: BatchProducer | null = null;
  private served = 0;
  /** Per worker: requested batches in order (consumed by next()). */
  private readonly queues: Deferred[][] = [];
  /** Per worker: requested batches the worker has not answered yet, in order. */
  private readonly unanswered: Deferred[][] = [];
  private closed = false;

  private constructor(
    readonly config: ProducerConfig,
    readonly normStats: NormStatsTable,
    private readonly prefetch: number,
  ) {}

  static async create(opts: LoaderOptions): Promise<Loader> {
    if (!opts?.sources?.length)
      throw new ValidationError('sources', opts?.sources, 'at least one dataset source');
    const batchSize = opts.batchSize ?? 64;
    const horizon = opts.horizon ?? 16;
    const padWidth = opts.padWidth ?? 32;
    for (const [k, v] of Object.entries({ batchSize, horizon, padWidth }))
      if (!(Number.isInteger(v) && v > 0)) throw new ValidationError(k, v, 'a positive integer');
    const seed = opts.seed ?? 0;
    const split = opts.split ?? 'train';
    const weighting = opts.weighting ?? 'frames';
    const opened = await Promise.all(opts.sources.map((s) => LeRobotDataset.open(s.root)));
    const sources: SourceConfig[] = opened.map((ds, i) => {
      const s = opts.sources[i];
      const embodiment = s.embodiment ?? (ds.info.robot_type || basename(ds.root));
      for (const key of ['observation.state', 'action']) {
        const f = ds.features[key];
        if (!f) throw new ValidationError(`${ds.root}: features.${key}`, undefined, 'a state/action feature');
        if (f.shape[0] > padWidth)
          throw new ValidationError(
            `${ds.root}: features.${key}.shape`,
            f.shape,
            `at most padWidth=${padWidth} dims`,
          );
      }
      const cams = s.cameras ?? ds.videoKeys;
      for (const c of cams)
        if (c && ds.features[c]?.dtype !== 'video')
          throw new ValidationError(`sources[${i}].cameras`, c, `one of ${ds.videoKeys.join(', ')}`);
      const all = ds.episodes.map((e) => e.episode_index);
      const parts =
        split === 'all'
          ? { train: all, val: all }
          : splitEpisodes(all, opts.valFraction ?? 0.1, hashSeed(seed, i));
      const episodes = split === 'val' ? parts.val : parts.train;
      const size =
        weighting === 'frames' ? episodes.reduce((a, e) => a + ds.episode(e).length, 0) : episodes.length;
      return {
        root: ds.root,
        embodiment,
        cameras: cams,
        episodes,
        prob: s.weight ?? size,
        instructionFrom: 'task',
      };
    });
    if (sources.every((s) => s.episodes.length === 0))
      throw new RobofmError('loader_empty', `loader: split '${split}' has no episodes`);
    const cameraSlots = opts.cameraSlots ?? Math.max(0, ...sources.map((s) => s.cameras.length));
    for (const s of sources) while (s.cameras.length < cameraSlots) s.cameras.push(null);
    for (const s of sources) s.cameras = s.cameras.slice(0, cameraSlots);
    const norm = opts.norm ?? 'quantile';
    const normStats =
      opts.normStats ??
      (norm === 'none'
        ? {}
        : normStatsFromDatasets(opened.map((d, i) => ({ embodiment: sources[i].embodiment, dataset: d }))));
    const config: ProducerConfig = {
      sources,
      batchSize,
      horizon,
      padWidth,
      imageWidth: opts.imageWidth ?? 96,
      imageHeight: opts.imageHeight ?? 96,
      cameraSlots,
      imageDtype: opts.imageDtype ?? 'uint8',
      norm,
      normStats,
      weighting,
      augment: split === 'train' && opts.augment ? opts.augment : null,
      seed,
      workerId: 0,
      poolSize: opts.poolSize ?? 4,
      blockFrames: opts.blockFrames ?? 512,
      reuse: opts.reuse ?? 1,
      cacheMb: opts.cacheMb ?? 256,
    };
    const loader = new Loader(config, normStats, Math.max(1, opts.prefetch ?? 2));
    await loader.start(opts.workers ?? 2);
    return loader;
  }

  private async start(n: number): Promise<void> {
    if (n <= 0) {
      this.local = new BatchProducer(this.config);
      await this.local.init();
      return;
    }
    const ready: Promise<void>[] = [];
    for (let w = 0; w < n; w++) {
      const worker = startWorker(new URL('./loader-worker.ts', import.meta.url), {
        workerData: { ...this.config, workerId: w },
      });
      this.workers.push(worker);
      this.queues.push([]);
      this.unanswered.push([]);
      ready.push(
        new Promise((resolve, reject) => {
          const onMsg = (m: { type: string; message?: string }) => {
            if (m.type === 'ready') {
              worker.off('message', onMsg);
              resolve();
            } else if (m.type === 'error')
              reject(new RobofmError('loader_worker', `loader worker ${w}: ${m.message}`));
          };
          worker.on('message', onMsg);
          worker.once('error', reject);
          worker.once('exit', (code) =>
            reject(
              new RobofmError(
                'loader_worker',
                `loader worker ${w} exited (code ${code}) before it was ready`,
              ),
            ),
          );
        }),
      );
      worker.on('message', (m: { type: string; batch?: Batch; message?: string }) => {
        const q = this.unanswered[w];
        if (m.type === 'batch' && m.batch) q.shift()?.resolve(m.batch);
        else if (m.type === 'error' && q.length) {
          const err = new RobofmError('loader_worker', `loader worker ${w}: ${m.message}`);
          for (const p of q.splice(0)) p.reject(err);
        }
      });
      worker.on('error', (e) => {
        for (const p of this.unanswered[w].splice(0)) p.reject(e);
      });
    }
    await Promise.all(ready);
    for (let w = 0; w < n; w++) for (let k = 0; k < this.prefetch; k++) this.request(w);
  }

  private request(w: number): void {
    let resolve!: (b: Batch) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<Batch>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // surfaced when awaited in next()
    const d = { resolve, reject, promise };
    this.queues[w].push(d);
    this.unanswered[w].push(d);
    this.workers[w].postMessage({ type: 'next' });
  }

  /** The next batch of the stream (never ends). */
  async next(): Promise<Batch> {
    if (this.closed) throw new RobofmError('loader_closed', 'loader is closed');
    if (this.local) return this.local.next();
    const w = this.served % this.workers.length;
    this.served++;
    const head = this.queues[w].shift();
    if (!head) throw new RobofmError('loader_worker', `loader worker ${w} has no pending batch`);
    const batch = await head.promise;
    this.request(w);
    return batch;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    while (!this.closed) yield await this.next();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
