import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { LeRobotDataset } from './dataset.ts';
import { STATS_PATH } from './features.ts';
import { statsToJson } from './metadata.ts';
import type { NormStatsTable } from './norm.ts';
import { writeFileSynced } from './parquet.ts';
import { type DatasetStats, ImageStats, RunningStats } from './stats.ts';

export interface ComputeStatsOptions {
  /** Also recompute per-channel image stats by decoding every frame (slow); default keeps stats.json's. */
  images?: boolean;
  /** Decode size for image stats. */
  imageSize?: number;
  onEpisode?: (done: number, total: number) => void;
}

export interface ComputedStats {
  /** Over the whole dataset. */
  global: DatasetStats;
  /** Per embodiment (the `embodiment` column when present, else robot_type). */
  byEmbodiment: Record<string, DatasetStats>;
}

/**
 * Streams every episode once and computes exact count/mean/std/min/max and histogram quantiles
 * (q01…q99) of every numeric feature, globally and per embodiment. Memory: one histogram set per
 * feature and embodiment, whatever the dataset size.
 */
export async function computeStats(root: string, opts: ComputeStatsOptions = {}): Promise<ComputedStats> {
  const ds = await LeRobotDataset.open(root);
  const numeric = Object.keys(ds.features).filter(
    (k) => !['string', 'video', 'image'].includes(ds.features[k].dtype),
  );
  const fallback = ds.info.robot_type || 'default';
  const acc = new Map<string, Record<string, RunningStats>>();
  const imgAcc = new Map<string, Record<string, ImageStats>>();
  const frames = new Map<string, number>();
  const get = (emb: string) => {
    let a = acc.get(emb);
    if (!a) {
      a = {};
      for (const k of numeric) a[k] = new RunningStats(ds.features[k].shape[0]);
      acc.set(emb, a);
    }
    return a;
  };
  const all = get('\u0000all');
  for (const [i, e] of ds.episodes.entries()) {
    const cols = [...numeric];
    if (ds.features.embodiment?.dtype === 'string') cols.push('embodiment');
    const d = await ds.readEpisode(e.episode_index, cols);
    const embs = (d.columns.embodiment as string[] | undefined) ?? new Array(d.length).fill(fallback);
    // Rows grouped by embodiment (usually one per episode).
    const groups = new Map<string, number[]>();
    embs.forEach((m, r) => {
      groups.set(m, [...(groups.get(m) ?? []), r]);
    });
    for (const k of numeric) {
      const w = ds.features[k].shape[0];
      const col = d.columns[k] as Float32Array | Float64Array;
      all[k].update(col, d.length);
      for (const [emb, rows] of groups) {
        const sub =
          rows.length === d.length
            ? col
            : Float64Array.from(
                { length: rows.length * w },
                (_, q) => col[rows[Math.floor(q / w)] * w + (q % w)],
              );
        get(emb)[k].update(sub, rows.length);
      }
    }
    for (const [emb, rows] of groups) frames.set(emb, (frames.get(emb) ?? 0) + rows.length);
    if (opts.images) {
      const size = opts.imageSize ?? 32;
      for (const key of ds.videoKeys) {
        let t = 0;
        for await (const fr of ds.frames(key, e.episode_index, { width: size, height: size })) {
          for (const emb of ['\u0000all', embs[t]]) {
            const m = imgAcc.get(emb) ?? {};
            m[key] ??= new ImageStats(size * size);
            m[key].update(fr);
            imgAcc.set(emb, m);
          }
          t++;
        }
      }
    }
    opts.onEpisode?.(i + 1, ds.episodes.length);
  }
  const result = (emb: string): DatasetStats => {
    const out: DatasetStats = {};
    for (const [k, rs] of Object.entries(acc.get(emb) ?? {})) if (rs.count > 0) out[k] = rs.result();
    const imgs = imgAcc.get(emb);
    for (const key of ds.videoKeys) {
      if (imgs?.[key])
        out[key] = imgs[key].result(emb === '\u0000all' ? ds.numFrames : (frames.get(emb) ?? 0));
      else if (emb === '\u0000all' && ds.stats?.[key]) out[key] = ds.stats[key];
    }
    return out;
  };
  const byEmbodiment: Record<string, DatasetStats> = {};
  for (const emb of acc.keys()) if (emb !== '\u0000all') byEmbodiment[emb] = result(emb);
  return { global: result('\u0000all'), byEmbodiment };
}

/** Per-embodiment stats of robofm (next to stats.json; LeRobot ignores it). */
export const EMBODIMENT_STATS_PATH = 'meta/stats_by_embodiment.json';

/** Writes meta/stats.json (and the per-embodiment file) atomically (temp file + rename). */
export async function writeStats(root: string, stats: ComputedStats): Promise<void> {
  const ds = await LeRobotDataset.open(root);
  const put = (rel: string, obj: unknown) => {
    const tmp = join(root, `${rel}.tmp`);
    writeFileSynced(tmp, `${JSON.stringify(obj, null, 4)}\n`);
    renameSync(tmp, join(root, rel));
  };
  put(STATS_PATH, statsToJson(stats.global, ds.features));
  const per: Record<string, unknown> = {};
  for (const [emb, s] of Object.entries(stats.byEmbodiment)) per[emb] = statsToJson(s, ds.features);
  put(EMBODIMENT_STATS_PATH, per);
}

/** Normalization table (state/action) per embodiment from computed stats. */
export function normStatsFromComputed(stats: ComputedStats): NormStatsTable {
  const out: NormStatsTable = {};
  for (const [emb, s] of Object.entries(stats.byEmbodiment)) {
    out[emb] = {};
    for (const key of ['observation.state', 'action']) {
      const f = s[key];
      if (f) out[emb][key] = { mean: f.mean, std: f.std, q01: f.q01, q99: f.q99, min: f.min, max: f.max };
    }
  }
  return out;
}
