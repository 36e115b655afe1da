import { RobofmError, Rng } from '@robofm/core';
import { LeRobotDataset } from './dataset.ts';
import type { EmbodimentNormStats, NormMode, NormStat } from './norm.ts';
import { NORM_EPS } from './norm.ts';

/**
 * The sampling and assembly half of the loader. Runs inside a worker thread (or in-process with
 * `workers: 0`). Fully deterministic for a given (seed, worker id): which sample lands in which batch
 * never depends on timing.
 */
export interface SourceConfig {
  root: string;
  embodiment: string;
  /** Camera feature key per slot (null: this robot has no camera in that slot). */
  cameras: (string | null)[];
  /** Episodes of this split. */
  episodes: number[];
  /** Probability of drawing this source. */
  prob: number;
  instructionFrom: 'task';
}

export interface AugmentOptions {
  /** Random crop keeping this fraction of each side (e.g. 0.9), resized back. 1 = off. */
  crop?: number;
  /** Brightness / contrast jitter amplitude (e.g. 0.2 → ×[0.8, 1.2]). 0 = off. */
  colorJitter?: number;
}

export interface ProducerConfig {
  sources: SourceConfig[];
  batchSize: number;
  horizon: number;
  padWidth: number;
  imageWidth: number;
  imageHeight: number;
  cameraSlots: number;
  imageDtype: 'uint8' | 'float32';
  norm: NormMode;
  normStats: Record<string, EmbodimentNormStats>;
  weighting: 'episodes' | 'frames';
  augment: AugmentOptions | null;
  seed: number;
  workerId: number;
  /** Blocks of consecutive episodes kept active at once (samples are drawn from them). */
  poolSize: number;
  /** Frames per block (consecutive episodes decoded by one ffmpeg process per camera). */
  blockFrames: number;
  /** Samples drawn per frame of a block before it leaves the pool (e.g. 0.5). */
  reuse: number;
  /** Frame-cache budget in MiB (decoded, resized frames of recently used episodes). */
  cacheMb: number;
}

/** One training batch. Shapes in comments; all arrays row-major. */
export interface Batch {
  size: number;
  horizon: number;
  cameras: number;
  height: number;
  width: number;
  padWidth: number;
  /** [B, ncam, H, W, 3] uint8 0..255, or float32 0..1 with imageDtype 'float32'. */
  images: Uint8Array | Float32Array;
  /** [B, ncam]: 1 where the robot has that camera. */
  imageMask: Uint8Array;
  /** [B, padWidth] normalized state, zero-padded. */
  state: Float32Array;
  /** [B, padWidth]: 1 for real state dimensions. */
  stateMask: Uint8Array;
  /** [B, horizon, padWidth] normalized actions t..t+H-1 (last action repeated past the episode end). */
  actions: Float32Array;
  /** [B, padWidth]: 1 for real action dimensions. */
  actionMask: Uint8Array;
  /** [B, horizon]: 1 where t+k is past the episode end (LeRobot's action_is_pad). */
  actionIsPad: Uint8Array;
  instruction: string[];
  subtask: string[];
  embodiment: string[];
  /** [B] quality tier of the frame (0 unknown, 1 low … 3 expert). */
  quality: Float32Array;
  /** Provenance: [B] source index, episode index, frame index. */
  source: Int32Array;
  episode: Int32Array;
  frame: Int32Array;
}

/** Small fast deterministic PRNG (mulberry32). */
export function hashSeed(...parts: number[]): number {
  let h = 2166136261;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

interface EpisodeEntry {
  length: number;
  stateDim: number;
  actionDim: number;
  state: Float32Array;
  action: Float32Array;
  task: string[];
  subtask: string[] | null;
  quality: Float64Array | Float32Array | null;
  /** Per slot: [L, h, w, 3] or null. */
  frames: (Uint8Array | null)[];
  bytes: number;
}

/** A run of consecutive episodes decoded together (one ffmpeg process per camera and file). */
interface Block {
  episodes: EpisodeEntry[];
  bytes: number;
}

interface PoolSlot {
  source: number;
  /** Episode indices of the block, consecutive. */
  episodes: number[];
  /** Cumulative sampling weights of the block's episodes. */
  cum: Float64Array;
  key: string;
  left: number;
  entry: Promise<Block>;
}

/** Per-dimension scale/shift for normalization (precomputed once per embodiment and key). */
function affine(
  stat: NormStat | undefined,
  mode: NormMode,
  dim: number,
): { scale: Float32Array; shift: Float32Array } {
  const scale = new Float32Array(dim).fill(1);
  const shift = new Float32Array(dim);
  if (!stat || mode === 'none') return { scale, shift };
  for (let j = 0; j < dim; j++) {
    if (mode === 'zscore') {
      scale[j] = Math.max(stat.std[j], NORM_EPS);
      shift[j] = stat.mean[j];
    } else {
      scale[j] = Math.max((stat.q99[j] - stat.q01[j]) / 2, NORM_EPS);
      shift[j] = (stat.q99[j] + stat.q01[j]) / 2;
    }
  }
  return { scale, shift };
}

export class BatchProducer {
  private readonly rng: Rng;
  private datasets: LeRobotDataset[] = [];
  private readonly sourceCum: Float64Array;
  private episodeCum: Float64Array[] = [];
  private pool: PoolSlot[] = [];
  private readonly cache = new Map<string, { entry: Promise<Block>; bytes: number }>();
  private cacheBytes = 0;
  private affines = new Map<string, { scale: Float32Array; shift: Float32Array }>();
  /** Counters for benchmarks. */
  readonly counters = { decodedFrames: 0, decodeMs: 0, episodesLoaded: 0, cacheHits: 0 };

  constructor(readonly cfg: ProducerConfig) {
    this.rng = new Rng(hashSeed(cfg.seed, cfg.workerId, 0x5eed));
    const cum = new Float64Array(cfg.sources.length);
    let acc = 0;
    cfg.sources.forEach((s, i) => {
      acc += s.episodes.length ? s.prob : 0;
      cum[i] = acc;
    });
    if (!(acc > 0)) throw new RobofmError('loader_empty', 'loader: no source has episodes in this split');
    this.sourceCum = cum;
  }

  async init(): Promise<void> {
    this.datasets = await Promise.all(this.cfg.sources.map((s) => LeRobotDataset.open(s.root)));
    this.episodeCum = this.cfg.sources.map((s, i) => {
      const c = new Float64Array(s.episodes.length);
      let acc = 0;
      s.episodes.forEach((e, k) => {
        acc += this.cfg.weighting === 'frames' ? this.datasets[i].episode(e).length : 1;
        c[k] = acc;
      });
      return c;
    });
    for (let p = 0; p < this.cfg.poolSize; p++) this.pool.push(this.newSlot());
  }

  /** Draws a block: a weighted first episode, extended by the split's following consecutive episodes. */
  private newSlot(): PoolSlot {
    const source = this.rng.pick(this.sourceCum);
    const list = this.cfg.sources[source].episodes;
    const ds = this.datasets[source];
    let k = this.rng.pick(this.episodeCum[source]);
    const episodes = [list[k]];
    let frames = ds.episode(list[k]).length;
    while (frames < this.cfg.blockFrames && k + 1 < list.length && list[k + 1] === list[k] + 1) {
      k++;
      episodes.push(list[k]);
      frames += ds.episode(list[k]).length;
    }
    const cum = new Float64Array(episodes.length);
    let acc = 0;
    episodes.forEach((e, i) => {
      acc += this.cfg.weighting === 'frames' ? ds.episode(e).length : 1;
      cum[i] = acc;
    });
    // Same lifetime for every block, so pool occupancy (hence the mixture) follows the weights.
    const left = Math.max(1, Math.ceil(this.cfg.blockFrames * this.cfg.reuse));
    const key = `${source}/${episodes[0]}-${episodes[episodes.length - 1]}`;
    return { source, episodes, cum, key, left, entry: this.load(source, key, episodes) };
  }

  private load(source: number, key: string, episodes: number[]): Promise<Block> {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit); // LRU: most recent last
      this.counters.cacheHits++;
      return hit.entry;
    }
    const entry = this.readBlock(source, episodes);
    const rec = { entry, bytes: 0 };
    this.cache.set(key, rec);
    entry.then(
      (b) => {
        rec.bytes = b.bytes;
        this.cacheBytes += b.bytes;
        this.evict();
      },
      () => this.cache.delete(key),
    );
    return entry;
  }

  private evict(): void {
    const budget = this.cfg.cacheMb * 1024 * 1024;
    if (this.cacheBytes <= budget) return;
    const pinned = new Set(this.pool.map((p) => p.key));
    for (const [key, rec] of this.cache) {
      if (this.cacheBytes <= budget) break;
      if (pinned.has(key) || rec.bytes === 0) continue;
      this.cache.delete(key);
      this.cacheBytes -= rec.bytes;
    }
  }

  get cachedBytes(): number {
    return this.cacheBytes;
  }

  private async readBlock(source: number, episodes: number[]): Promise<Block> {
    const ds = this.datasets[source];
    const src = this.cfg.sources[source];
    const f = ds.features;
    const cols = ['observation.state', 'action', 'task_index'];
    for (const k of ['subtask', 'quality']) if (f[k]) cols.push(k);
    const t0 = performance.now();
    const { imageWidth: w, imageHeight: h } = this.cfg;
    const frameBytes = w * h * 3;
    // Per camera: runs of episodes contiguous in one video file, each decoded by one ffmpeg process.
    const frames: (Uint8Array | null)[][] = episodes.map(() => src.cameras.map(() => null));
    const decodes: Promise<void>[] = [];
    src.cameras.forEach((key, c) => {
      if (!key) return;
      let run: number[] = [];
      const flush = (r: number[]) => {
        if (!r.length) return;
        decodes.push(
          (async () => {
            const lens = r.map((i) => ds.episode(episodes[i]).length);
            const total = lens.reduce((a, b) => a + b, 0);
            const out = new Uint8Array(total * frameBytes);
            let n = 0;
            const first = ds.episode(episodes[r[0]]);
            for await (const fr of ds.frames(key, first.episode_index, {
              width: w,
              height: h,
              count: total,
              spanEpisodes: true,
            })) {
              out.set(fr, n++ * frameBytes);
            }
            this.counters.decodedFrames += n;
            let off = 0;
            r.forEach((i, j) => {
              frames[i][c] = out.subarray(off * frameBytes, (off + lens[j]) * frameBytes);
              off += lens[j];
            });
          })(),
        );
      };
      episodes.forEach((e, i) => {
        const prev = i > 0 ? ds.episode(episodes[i - 1]) : null;
        const cur = ds.episode(e);
        const contiguous =
          prev &&
          ds.videoPath(key, prev.episode_index) === ds.videoPath(key, e) &&
          Math.abs(prev.videos[key].to_timestamp - cur.videos[key].from_timestamp) < 1e-6;
        if (!contiguous) {
          flush(run);
          run = [];
        }
        run.push(i);
      });
      flush(run);
    });
    const data = await Promise.all(episodes.map((e) => ds.readEpisode(e, cols)));
    await Promise.all(decodes);
    this.counters.decodeMs += performance.now() - t0;
    this.counters.episodesLoaded += episodes.length;
    let bytes = 0;
    const entries = data.map((d, i): EpisodeEntry => {
      const state = d.columns['observation.state'] as Float32Array;
      const action = d.columns.action as Float32Array;
      const task = Array.from(d.columns.task_index as Float64Array, (x) => ds.tasks[x] ?? '');
      bytes +=
        frames[i].reduce((a, fr) => a + (fr?.length ?? 0), 0) +
        state.byteLength +
        action.byteLength +
        d.length * 64;
      return {
        length: d.length,
        stateDim: f['observation.state'].shape[0],
        actionDim: f.action.shape[0],
        state,
        action,
        task,
        subtask: (d.columns.subtask as string[] | undefined) ?? null,
        quality: (d.columns.quality as Float64Array | undefined) ?? null,
        frames: frames[i],
        bytes: 0,
      };
    });
    return { episodes: entries, bytes };
  }

  private norm(embodiment: string, key: string, dim: number) {
    const k = `${embodiment}|${key}`;
    let a = this.affines.get(k);
    if (!a) {
      const stat = this.cfg.normStats[embodiment]?.[key];
      if (!stat && this.cfg.norm !== 'none')
        throw new RobofmError(
          'norm_stats_missing',
          `loader: no ${key} norm stats for embodiment '${embodiment}'`,
        );
      a = affine(stat, this.cfg.norm, dim);
      this.affines.set(k, a);
    }
    return a;
  }

  /** Assembles the next batch. */
  async next(): Promise<Batch> {
    const {
      batchSize: B,
      horizon: H,
      padWidth: W,
      cameraSlots: C,
      imageWidth: iw,
      imageHeight: ih,
    } = this.cfg;
    const frameBytes = iw * ih * 3;
    const b: Batch = {
      size: B,
      horizon: H,
      cameras: C,
      height: ih,
      width: iw,
      padWidth: W,
      images:
        this.cfg.imageDtype === 'float32'
          ? new Float32Array(B * C * frameBytes)
          : new Uint8Array(B * C * frameBytes),
      imageMask: new Uint8Array(B * C),
      state: new Float32Array(B * W),
      stateMask: new Uint8Array(B * W),
      actions: new Float32Array(B * H * W),
      actionMask: new Uint8Array(B * W),
      actionIsPad: new Uint8Array(B * H),
      instruction: [],
      subtask: [],
      embodiment: [],
      quality: new Float32Array(B),
      source: new Int32Array(B),
      episode: new Int32Array(B),
      frame: new Int32Array(B),
    };
    const tmp = new Uint8Array(frameBytes);
    for (let i = 0; i < B; i++) {
      const p = this.rng.int(this.pool.length);
      const slot = this.pool[p];
      const k = this.rng.pick(slot.cum);
      const episode = slot.episodes[k];
      const t = this.rng.int(this.datasets[slot.source].episode(episode).length);
      const aug = this.cfg.augment ? this.augmentParams() : null;
      slot.left--;
      if (slot.left <= 0) this.pool[p] = this.newSlot();
      const e = (await slot.entry).episodes[k];
      const src = this.cfg.sources[slot.source];
      b.source[i] = slot.source;
      b.episode[i] = episode;
      b.frame[i] = t;
      // Images.
      for (let c = 0; c < C; c++) {
        const fr = e.frames[c];
        if (!fr) continue;
        b.imageMask[i * C + c] = 1;
        let px = fr.subarray(t * frameBytes, (t + 1) * frameBytes);
        if (aug) {
          augmentInto(px, tmp, iw, ih, aug[c] ?? aug[0]);
          px = tmp;
        }
        const off = (i * C + c) * frameBytes;
        if (b.images instanceof Float32Array)
          for (let k = 0; k < frameBytes; k++) b.images[off + k] = px[k] / 255;
        else b.images.set(px, off);
      }
      // State at t.
      const sn = this.norm(src.embodiment, 'observation.state', e.stateDim);
      for (let j = 0; j < e.stateDim && j < W; j++) {
        b.state[i * W + j] = (e.state[t * e.stateDim + j] - sn.shift[j]) / sn.scale[j];
        b.stateMask[i * W + j] = 1;
      }
      // Action chunk t..t+H-1 (clamped to the last frame, flagged as pad).
      const an = this.norm(src.embodiment, 'action', e.actionDim);
      for (let j = 0; j < e.actionDim && j < W; j++) b.actionMask[i * W + j] = 1;
      for (let k = 0; k < H; k++) {
        const u = Math.min(t + k, e.length - 1);
        if (t + k >= e.length) b.actionIsPad[i * H + k] = 1;
        const o = (i * H + k) * W;
        for (let j = 0; j < e.actionDim && j < W; j++)
          b.actions[o + j] = (e.action[u * e.actionDim + j] - an.shift[j]) / an.scale[j];
      }
      b.instruction.push(e.task[t]);
      b.subtask.push(e.subtask?.[t] ?? '');
      b.embodiment.push(src.embodiment);
      b.quality[i] = e.quality ? e.quality[t] : 0;
    }
    return b;
  }

  private augmentParams(): AugParams[] {
    const a = this.cfg.augment as AugmentOptions;
    const crop = Math.min(1, Math.max(0.1, a.crop ?? 1));
    const jit = a.colorJitter ?? 0;
    return Array.from({ length: this.cfg.cameraSlots }, () => ({
      crop,
      x0: this.rng.next() * (1 - crop),
      y0: this.rng.next() * (1 - crop),
      brightness: 1 + (this.rng.next() * 2 - 1) * jit,
      contrast: 1 + (this.rng.next() * 2 - 1) * jit,
    }));
  }
}

interface AugParams {
  crop: number;
  x0: number;
  y0: number;
  brightness: number;
  contrast: number;
}

/** Random crop resized back (nearest) and brightness/contrast jitter; src and dst are [h, w, 3]. */
export function augmentInto(src: Uint8Array, dst: Uint8Array, w: number, h: number, a: AugParams): void {
  const cw = a.crop * w;
  const ch = a.crop * h;
  const ox = a.x0 * w;
  const oy = a.y0 * h;
  let mean = 0;
  for (let k = 0; k < src.length; k += 3) mean += src[k] + src[k + 1] + src[k + 2];
  mean /= src.length;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(h - 1, Math.floor(oy + ((y + 0.5) / h) * ch));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(w - 1, Math.floor(ox + ((x + 0.5) / w) * cw));
      const s = (sy * w + sx) * 3;
      const d = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = ((src[s + c] - mean) * a.contrast + mean) * a.brightness;
        dst[d + c] = v < 0 ? 0 : Math.min(255, v);
      }
    }
  }
}
