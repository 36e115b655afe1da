import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressBar } from '@robofm/core';
import { LeRobotDataset } from './dataset.ts';
import { Loader } from './loader.ts';
import { syntheticEmbodiment, writeSyntheticDataset } from './synthetic.ts';

export interface DataBenchOptions {
  episodes?: number;
  length?: number;
  size?: number;
  batchSize?: number;
  horizon?: number;
  workers?: number;
  /** Seconds of loader measurement. */
  seconds?: number;
  /** Frame cache per worker (MiB); below the dataset's decoded size so steady state keeps decoding. */
  cacheMb?: number;
  /** Use this dataset instead of generating one. */
  dataset?: string;
  progress?: boolean;
}

export interface DataBenchResult {
  loader_samples_per_s: number;
  decode_fps: number;
  detail: {
    dataset: string;
    frames: number;
    cameras: number;
    size: number;
    batchSize: number;
    horizon: number;
    workers: number;
    batches: number;
    seconds: number;
    writeSeconds: number;
    decodeFrames: number;
    decodeSeconds: number;
  };
}

/**
 * `robofm bench data`: writes a synthetic 2-camera 96×96 dataset with the streaming writer, then
 * measures raw sequential decode (frames/s through the ffmpeg pipe) and loader throughput
 * (samples/s; batch 64, H=16, 2 worker threads, decode + resize + normalize + chunking).
 */
export async function benchData(o: DataBenchOptions = {}): Promise<DataBenchResult> {
  const size = o.size ?? 96;
  const episodes = o.episodes ?? 30;
  const length = o.length ?? 100;
  const batchSize = o.batchSize ?? 64;
  const horizon = o.horizon ?? 16;
  const workers = o.workers ?? 2;
  const seconds = o.seconds ?? 15;
  const show = o.progress ?? true;
  let dir = o.dataset;
  let tmp: string | undefined;
  let writeSeconds = 0;
  try {
    if (!dir) {
      tmp = mkdtempSync(join(tmpdir(), 'robofm-bench-data-'));
      dir = join(tmp, 'ds');
      const spec = syntheticEmbodiment('bench_arm', {
        state: 14,
        action: 14,
        cameras: [
          { name: 'top', width: size, height: size },
          { name: 'wrist', width: size, height: size },
        ],
      });
      const bar = new ProgressBar({ total: episodes, label: 'write dataset', unit: 'ep', enabled: show });
      const t0 = performance.now();
      await writeSyntheticDataset(dir, { episodes, spec, length: () => length, onEpisode: () => bar.tick() });
      writeSeconds = (performance.now() - t0) / 1000;
    }
    const ds = await LeRobotDataset.open(dir);
    const key = ds.videoKeys[0];

    // Raw decode: one camera, whole file(s) streamed sequentially.
    const t1 = performance.now();
    let decoded = 0;
    const first = ds.episodes[0];
    const total = ds.episodes.reduce((a, e) => a + e.length, 0);
    for await (const _f of ds.frames(key, first.episode_index, { count: total, spanEpisodes: true }))
      decoded++;
    const decodeSeconds = (performance.now() - t1) / 1000;

    // Loader.
    const loader = await Loader.create({
      sources: [{ root: dir }],
      batchSize,
      horizon,
      imageWidth: size,
      imageHeight: size,
      workers,
      split: 'all',
      seed: 1,
      cacheMb: o.cacheMb ?? 64,
    });
    try {
      await loader.next(); // warm-up: workers started and first blocks decoded
      const bar = new ProgressBar({ total: Math.ceil(seconds), label: 'loader', unit: 's', enabled: show });
      const t2 = performance.now();
      let batches = 0;
      while ((performance.now() - t2) / 1000 < seconds) {
        await loader.next();
        batches++;
        const el = (performance.now() - t2) / 1000;
        const whole = Math.min(Math.ceil(seconds), Math.floor(el));
        if (whole > bar.count)
          bar.tick(whole - bar.count, `${((batches * batchSize) / el).toFixed(0)} samples/s`);
      }
      const elapsed = (performance.now() - t2) / 1000;
      if (bar.count < Math.ceil(seconds)) bar.finish();
      return {
        loader_samples_per_s: Math.round((batches * batchSize) / elapsed),
        decode_fps: Math.round(decoded / decodeSeconds),
        detail: {
          dataset: dir,
          frames: total,
          cameras: ds.videoKeys.length,
          size,
          batchSize,
          horizon,
          workers,
          batches,
          seconds: elapsed,
          writeSeconds,
          decodeFrames: decoded,
          decodeSeconds,
        },
      };
    } finally {
      await loader.close();
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
