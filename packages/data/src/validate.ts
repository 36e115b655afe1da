import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RobofmError } from '@robofm/core';
import { LeRobotDataset } from './dataset.ts';
import {
  CODEBASE_VERSION,
  type DatasetInfo,
  DEFAULT_FEATURES,
  featureWidth,
  INFO_PATH,
  STATS_PATH,
  TASKS_PATH,
  validateFeatureSpec,
  videoKeys,
} from './features.ts';
import { readJson } from './metadata.ts';
import { readParquet, readParquetMetadata, topLevelColumns } from './parquet.ts';
import { STAGING_DIR } from './staging.ts';
import { STAT_KEYS } from './stats.ts';
import { probeVideo } from './video.ts';

/** One problem found by `validateDataset`: which file, which field, what is wrong. */
export interface Problem {
  file: string;
  field: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface ValidateOptions {
  /** Probe every mp4 with ffprobe (default true). */
  videos?: boolean;
  /** Tolerance between timestamps and frame_index / fps, seconds (LeRobot uses 1e-4). */
  toleranceS?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Checks every file of a LeRobot v3.0 dataset against the spec (and v2.1 metadata/data files).
 * Never modifies anything. Returns all problems; an empty list means valid.
 */
export async function validateDataset(root: string, opts: ValidateOptions = {}): Promise<Problem[]> {
  const problems: Problem[] = [];
  const rel = (p: string) => relative(root, p) || p;
  const err = (file: string, field: string, message: string) =>
    problems.push({ file: rel(file), field, message, severity: 'error' });
  const warn = (file: string, field: string, message: string) =>
    problems.push({ file: rel(file), field, message, severity: 'warning' });
  const tol = opts.toleranceS ?? 1e-4;

  if (!existsSync(root)) {
    err(root, '-', 'dataset directory not found');
    return problems;
  }
  if (existsSync(join(root, STAGING_DIR)))
    warn(
      join(root, STAGING_DIR),
      '-',
      'an interrupted or active writer left staging files (opening the dataset recovers)',
    );
  const infoPath = join(root, INFO_PATH);
  let info: DatasetInfo;
  try {
    info = readJson<DatasetInfo>(infoPath);
  } catch (e) {
    err(infoPath, '-', (e as Error).message);
    return problems;
  }
  // info.json fields
  const num = (k: keyof DatasetInfo, positive = false) => {
    const v = info[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || (positive && v === 0))
      err(
        infoPath,
        String(k),
        `got ${JSON.stringify(v)}, expected a ${positive ? 'positive' : 'non-negative'} integer`,
      );
  };
  const isV3 = info.codebase_version === CODEBASE_VERSION;
  if (!isV3 && info.codebase_version !== 'v2.1')
    err(
      infoPath,
      'codebase_version',
      `got ${JSON.stringify(info.codebase_version)}, expected "v3.0" (or "v2.1")`,
    );
  num('fps', true);
  num('total_episodes');
  num('total_frames');
  num('total_tasks');
  num('chunks_size', true);
  if (isV3) {
    for (const k of ['data_files_size_in_mb', 'video_files_size_in_mb'] as const) {
      const v = info[k];
      if (typeof v !== 'number' || !(v > 0))
        err(infoPath, k, `got ${JSON.stringify(v)}, expected a positive number of MB`);
    }
  }
  if (typeof info.data_path !== 'string') err(infoPath, 'data_path', 'missing path template');
  if (typeof info.splits !== 'object' || info.splits === null)
    err(infoPath, 'splits', 'expected an object like {"train": "0:N"}');
  if (!('robot_type' in info)) warn(infoPath, 'robot_type', 'missing');
  if (typeof info.features !== 'object' || info.features === null) {
    err(infoPath, 'features', 'missing');
    return problems;
  }
  for (const [k, f] of Object.entries(DEFAULT_FEATURES)) {
    const g = info.features[k];
    if (!g) err(infoPath, `features.${k}`, 'default feature missing');
    else if (g.dtype !== f.dtype) err(infoPath, `features.${k}.dtype`, `got ${g.dtype}, expected ${f.dtype}`);
  }
  for (const [k, f] of Object.entries(info.features)) {
    try {
      validateFeatureSpec(k, f);
    } catch (e) {
      err(infoPath, `features.${k}`, (e as Error).message);
    }
    if (f.dtype === 'video') {
      if (!info.video_path) err(infoPath, 'video_path', `null but feature ${k} is a video`);
      const vi = f.info;
      if (!vi) err(infoPath, `features.${k}.info`, 'missing video info');
      else
        for (const field of [
          'video.height',
          'video.width',
          'video.codec',
          'video.pix_fmt',
          'video.fps',
          'video.channels',
        ])
          if (vi[field] === undefined) err(infoPath, `features.${k}.info.${field}`, 'missing');
    }
  }
  if (problems.some((p) => p.severity === 'error')) return problems;

  // Metadata and episodes (the reader checks structure and required columns).
  let ds: LeRobotDataset;
  try {
    ds = await LeRobotDataset.open(root, { recover: false });
  } catch (e) {
    const m = (e as Error).message;
    const file = m.split(':')[0];
    err(file.startsWith('/') ? file : join(root, 'meta'), 'metadata', m);
    return problems;
  }
  if (ds.episodes.length !== info.total_episodes)
    err(infoPath, 'total_episodes', `says ${info.total_episodes}, meta/episodes has ${ds.episodes.length}`);
  if (ds.numFrames !== info.total_frames)
    err(infoPath, 'total_frames', `says ${info.total_frames}, episode lengths sum to ${ds.numFrames}`);
  if (ds.tasks.length !== info.total_tasks)
    err(infoPath, 'total_tasks', `says ${info.total_tasks}, tasks file has ${ds.tasks.length}`);
  if (isV3 && info.total_tasks > 0 && !existsSync(join(root, TASKS_PATH)))
    err(join(root, TASKS_PATH), '-', 'missing');
  ds.tasks.forEach((t, i) => {
    if (t === undefined)
      err(join(root, isV3 ? TASKS_PATH : 'meta/tasks.jsonl'), 'task_index', `no task with index ${i}`);
  });
  const epFile = (e: { meta: { chunk_index: number; file_index: number } }) =>
    join(
      root,
      isV3
        ? `meta/episodes/chunk-${String(e.meta.chunk_index).padStart(3, '0')}/file-${String(e.meta.file_index).padStart(3, '0')}.parquet`
        : 'meta/episodes.jsonl',
    );
  let expectFrom = 0;
  const vkeys = videoKeys(info.features);
  const videoEnd = new Map<string, number>();
  ds.episodes.forEach((e, i) => {
    const f = epFile(e);
    if (e.episode_index !== i)
      err(f, 'episode_index', `got ${e.episode_index} at position ${i}, expected ${i} (contiguous from 0)`);
    if (!(e.length > 0)) err(f, 'length', `episode ${e.episode_index}: got ${e.length}, expected > 0`);
    if (e.dataset_from_index !== expectFrom)
      err(
        f,
        'dataset_from_index',
        `episode ${e.episode_index}: got ${e.dataset_from_index}, expected ${expectFrom}`,
      );
    if (e.dataset_to_index !== e.dataset_from_index + e.length)
      err(
        f,
        'dataset_to_index',
        `episode ${e.episode_index}: got ${e.dataset_to_index}, expected from + length = ${e.dataset_from_index + e.length}`,
      );
    expectFrom = e.dataset_to_index;
    for (const t of e.tasks)
      if (!ds.tasks.includes(t))
        err(f, 'tasks', `episode ${e.episode_index}: task ${JSON.stringify(t)} not in tasks`);
    for (const k of vkeys) {
      const v = e.videos[k];
      if (!v) continue;
      const dur = v.to_timestamp - v.from_timestamp;
      if (Math.abs(dur - e.length / info.fps) > 1e-3)
        err(
          f,
          `videos/${k}/to_timestamp`,
          `episode ${e.episode_index}: spans ${dur.toFixed(4)} s, expected length/fps = ${(e.length / info.fps).toFixed(4)} s`,
        );
      const fileKey = `${k}|${v.chunk_index}|${v.file_index}`;
      const prevEnd = videoEnd.get(fileKey);
      if (isV3 && prevEnd !== undefined && Math.abs(prevEnd - v.from_timestamp) > 1e-3)
        err(
          f,
          `videos/${k}/from_timestamp`,
          `episode ${e.episode_index}: ${v.from_timestamp}, expected ${prevEnd} (end of the previous episode in the file)`,
        );
      videoEnd.set(fileKey, Math.max(prevEnd ?? 0, v.to_timestamp));
    }
    if (isV3) {
      for (const key of ['observation.state', 'action']) {
        const s = e.stats[key];
        if (info.features[key] && !s)
          err(f, `stats/${key}`, `episode ${e.episode_index}: per-episode stats missing`);
      }
    }
  });

  // Data files: columns, row counts, per-frame bookkeeping, timestamps.
  const byFile = new Map<string, typeof ds.episodes>();
  for (const e of ds.episodes) {
    const p = ds.dataPath(e.episode_index);
    byFile.set(p, [...(byFile.get(p) ?? []), e]);
  }
  const dataCols = Object.keys(info.features).filter(
    (k) => info.features[k].dtype !== 'video' && info.features[k].dtype !== 'image',
  );
  let done = 0;
  const total = byFile.size + (opts.videos === false ? 0 : vkeys.length);
  for (const [path, eps] of byFile) {
    opts.onProgress?.(done++, total);
    let cols: string[];
    try {
      cols = topLevelColumns(await readParquetMetadata(path));
    } catch (e) {
      err(path, '-', (e as RobofmError).message);
      continue;
    }
    for (const c of dataCols) if (!cols.includes(c)) err(path, c, 'column missing (feature in info.json)');
    for (const c of cols) if (!info.features[c]) warn(path, c, 'column not declared in info.json features');
    const present = dataCols.filter((c) => cols.includes(c));
    let t: Awaited<ReturnType<typeof readParquet>>;
    try {
      t = await readParquet(path, { columns: present });
    } catch (e) {
      err(path, '-', (e as Error).message);
      continue;
    }
    const expectRows = eps.reduce((a, e) => a + e.length, 0);
    if (t.numRows !== expectRows) err(path, 'rows', `has ${t.numRows} rows, episodes say ${expectRows}`);
    let row = 0;
    for (const e of eps) {
      for (let i = 0; i < e.length && row < t.numRows; i++, row++) {
        const c = t.columns;
        const at = `row ${row} (episode ${e.episode_index}, frame ${i})`;
        if (c.episode_index && Number(c.episode_index[row]) !== e.episode_index) {
          err(path, 'episode_index', `${at}: got ${c.episode_index[row]}, expected ${e.episode_index}`);
          break;
        }
        if (c.frame_index && Number(c.frame_index[row]) !== i)
          err(path, 'frame_index', `${at}: got ${c.frame_index[row]}, expected ${i}`);
        if (c.index && Number(c.index[row]) !== e.dataset_from_index + i)
          err(path, 'index', `${at}: got ${c.index[row]}, expected ${e.dataset_from_index + i}`);
        if (c.task_index) {
          const ti = Number(c.task_index[row]);
          if (!(ti >= 0 && ti < ds.tasks.length))
            err(path, 'task_index', `${at}: got ${ti}, expected 0..${ds.tasks.length - 1}`);
        }
        if (c.timestamp) {
          const ts = Number(c.timestamp[row]);
          if (i > 0 && !(ts > Number(c.timestamp[row - 1])))
            err(
              path,
              'timestamp',
              `${at}: ${ts} is not after ${c.timestamp[row - 1]} (timestamps must increase)`,
            );
          else if (Math.abs(ts - i / info.fps) > tol + 1e-6 * i)
            warn(
              path,
              'timestamp',
              `${at}: ${ts} differs from frame_index/fps = ${(i / info.fps).toFixed(6)} by more than ${tol} s`,
            );
        }
        for (const k of present) {
          const f = info.features[k];
          if (f.dtype === 'string' || k in DEFAULT_FEATURES) continue;
          const w = featureWidth(f);
          const v = c[k][row];
          const len = Array.isArray(v) || ArrayBuffer.isView(v) ? (v as ArrayLike<unknown>).length : 1;
          if (len !== w) err(path, k, `${at}: ${len} values, expected shape [${f.shape.join(', ')}]`);
        }
        if (problems.length > 200)
          return [
            ...problems,
            { file: rel(path), field: '-', message: 'too many problems; stopped', severity: 'error' },
          ];
      }
    }
  }

  // Videos: every referenced file readable, properties as declared, long enough.
  if (opts.videos !== false) {
    for (const k of vkeys) {
      opts.onProgress?.(done++, total);
      const files = new Map<string, number>();
      for (const e of ds.episodes) {
        const p = ds.videoPath(k, e.episode_index);
        files.set(p, Math.max(files.get(p) ?? 0, e.videos[k].to_timestamp));
      }
      const vi = info.features[k].info;
      for (const [p, end] of files) {
        try {
          const pr = probeVideo(p);
          if (vi && pr.width !== vi['video.width'])
            err(
              p,
              `features.${k}.info.video.width`,
              `file is ${pr.width}, info.json says ${vi['video.width']}`,
            );
          if (vi && pr.height !== vi['video.height'])
            err(
              p,
              `features.${k}.info.video.height`,
              `file is ${pr.height}, info.json says ${vi['video.height']}`,
            );
          if (vi && pr.codec !== vi['video.codec'])
            err(
              p,
              `features.${k}.info.video.codec`,
              `file is ${pr.codec}, info.json says ${vi['video.codec']}`,
            );
          if (vi && pr.pixFmt !== vi['video.pix_fmt'])
            err(
              p,
              `features.${k}.info.video.pix_fmt`,
              `file is ${pr.pixFmt}, info.json says ${vi['video.pix_fmt']}`,
            );
          if (Math.abs(pr.fps - info.fps) > 1e-3)
            err(
              p,
              `features.${k}.info.video.fps`,
              `file plays at ${pr.fps} fps, info.json fps is ${info.fps}`,
            );
          const frames = Math.round(end * info.fps);
          if (pr.frames < frames)
            err(p, 'frames', `has ${pr.frames} frames, episodes need ${frames} (truncated mp4?)`);
        } catch (e) {
          err(p, '-', (e as Error).message);
        }
      }
    }
  }

  // Global stats.
  const statsPath = join(root, STATS_PATH);
  if (isV3 || existsSync(statsPath)) {
    if (!existsSync(statsPath)) {
      if (info.total_episodes > 0) err(statsPath, '-', 'missing');
    } else {
      try {
        const stats = readJson<Record<string, Record<string, unknown>>>(statsPath);
        for (const key of ['observation.state', 'action']) {
          if (!info.features[key] || info.total_episodes === 0) continue;
          const s = stats[key];
          if (!s) {
            err(statsPath, key, 'stats missing');
            continue;
          }
          for (const sk of STAT_KEYS) if (!(sk in s)) err(statsPath, `${key}.${sk}`, 'missing');
          const mean = s.mean as unknown[];
          if (Array.isArray(mean) && mean.length !== info.features[key].shape[0])
            err(
              statsPath,
              `${key}.mean`,
              `has ${mean.length} values, expected ${info.features[key].shape[0]}`,
            );
        }
      } catch (e) {
        err(statsPath, '-', (e as Error).message);
      }
    }
  }
  // Files nobody references.
  if (isV3 && existsSync(join(root, 'data'))) {
    for (const chunk of readdirSync(join(root, 'data'))) {
      for (const f of readdirSync(join(root, 'data', chunk))) {
        const p = join(root, 'data', chunk, f);
        if (!byFile.has(p)) warn(p, '-', 'data file not referenced by any episode');
      }
    }
  }
  opts.onProgress?.(total, total);
  return problems;
}

export function formatProblem(p: Problem): string {
  return `${p.severity === 'error' ? 'ERROR' : 'warn '} ${p.file} [${p.field}]: ${p.message}`;
}
