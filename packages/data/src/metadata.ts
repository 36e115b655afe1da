import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RobofmError } from '@robofm/core';
import {
  type DatasetInfo,
  DEFAULT_FEATURES,
  type Features,
  INFO_PATH,
  isVisual,
  STATS_PATH,
  TASKS_PATH,
  videoKeys,
} from './features.ts';
import { type ColumnSpec, encodeParquet, readParquet } from './parquet.ts';
import { type DatasetStats, type FeatureStats, fromAnyLayout, STAT_KEYS, toImageLayout } from './stats.ts';

/** Where one episode's frames live (one row of `meta/episodes/chunk-XXX/file-XXX.parquet`). */
export interface EpisodeMeta {
  episode_index: number;
  tasks: string[];
  length: number;
  data: { chunk_index: number; file_index: number };
  dataset_from_index: number;
  dataset_to_index: number;
  videos: Record<
    string,
    { chunk_index: number; file_index: number; from_timestamp: number; to_timestamp: number }
  >;
  meta: { chunk_index: number; file_index: number };
  stats: DatasetStats;
}

export function readJson<T>(path: string): T {
  if (!existsSync(path)) throw new RobofmError('file_missing', `${path}: file not found`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new RobofmError('json_corrupt', `${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

export function loadInfo(root: string): DatasetInfo {
  const info = readJson<DatasetInfo>(join(root, INFO_PATH));
  if (typeof info !== 'object' || info === null || typeof info.features !== 'object')
    throw new RobofmError('info_invalid', `${join(root, INFO_PATH)}: field 'features' missing`);
  return info;
}

export function loadStats(root: string): DatasetStats | null {
  const p = join(root, STATS_PATH);
  if (!existsSync(p)) return null;
  const raw = readJson<Record<string, Record<string, unknown>>>(p);
  const out: DatasetStats = {};
  for (const [k, v] of Object.entries(raw)) out[k] = fromAnyLayout(v);
  return out;
}

/** stats.json content: images in [3,1,1] layout, other features flat. */
export function statsToJson(stats: DatasetStats, features: Features): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(stats))
    out[k] = features[k] && isVisual(features[k]) ? toImageLayout(s) : s;
  return out;
}

/** `meta/tasks.parquet`: columns `task` (string, pandas index) and `task_index` (int64). */
export function encodeTasks(tasks: string[]): Uint8Array {
  const pandas = {
    index_columns: ['task'],
    column_indexes: [
      {
        name: null,
        field_name: null,
        pandas_type: 'unicode',
        numpy_type: 'object',
        metadata: { encoding: 'UTF-8' },
      },
    ],
    columns: [
      {
        name: 'task_index',
        field_name: 'task_index',
        pandas_type: 'int64',
        numpy_type: 'int64',
        metadata: null,
      },
      { name: 'task', field_name: 'task', pandas_type: 'unicode', numpy_type: 'object', metadata: null },
    ],
    creator: { library: 'robofm', version: '0.1.0' },
    pandas_version: '2.2.0',
  };
  return encodeParquet(
    [
      { name: 'task_index', kind: 'int64', data: tasks.map((_, i) => i) },
      { name: 'task', kind: 'string', data: tasks },
    ],
    [{ key: 'pandas', value: JSON.stringify(pandas) }],
  );
}

export async function loadTasks(root: string): Promise<string[]> {
  const p = join(root, TASKS_PATH);
  if (!existsSync(p)) return [];
  const t = await readParquet(p);
  const taskCol = t.columns.task ?? t.columns.__index_level_0__;
  const idxCol = t.columns.task_index;
  if (!taskCol || !idxCol)
    throw new RobofmError('tasks_invalid', `${p}: expected columns 'task' and 'task_index'`);
  const out: string[] = [];
  taskCol.forEach((task, i) => {
    out[Number(idxCol[i])] = String(task);
  });
  return out;
}

function statColumns(rows: EpisodeMeta[], features: Features): ColumnSpec[] {
  const cols: ColumnSpec[] = [];
  const keys = Object.keys(rows[0]?.stats ?? {});
  for (const key of keys) {
    const visual = features[key] ? isVisual(features[key]) : false;
    for (const stat of STAT_KEYS) {
      const name = `stats/${key}/${stat}`;
      if (stat === 'count')
        cols.push({ name, kind: 'list<int64>', data: rows.map((r) => r.stats[key]?.count ?? [0]) });
      else if (visual)
        cols.push({
          name,
          kind: 'list<list<list<float64>>>',
          data: rows.map((r) => (r.stats[key]?.[stat] ?? []).map((v) => [[v]])),
        });
      else cols.push({ name, kind: 'list<float64>', data: rows.map((r) => r.stats[key]?.[stat] ?? []) });
    }
  }
  return cols;
}

/** One `meta/episodes/...parquet` file holding `rows`. */
export function encodeEpisodes(rows: EpisodeMeta[], features: Features): Uint8Array {
  const int = (name: string, f: (r: EpisodeMeta) => number): ColumnSpec => ({
    name,
    kind: 'int64',
    data: rows.map(f),
  });
  const cols: ColumnSpec[] = [
    int('episode_index', (r) => r.episode_index),
    { name: 'tasks', kind: 'list<string>', data: rows.map((r) => r.tasks) },
    int('length', (r) => r.length),
    int('data/chunk_index', (r) => r.data.chunk_index),
    int('data/file_index', (r) => r.data.file_index),
    int('dataset_from_index', (r) => r.dataset_from_index),
    int('dataset_to_index', (r) => r.dataset_to_index),
  ];
  for (const k of videoKeys(features)) {
    cols.push(int(`videos/${k}/chunk_index`, (r) => r.videos[k].chunk_index));
    cols.push(int(`videos/${k}/file_index`, (r) => r.videos[k].file_index));
    cols.push({
      name: `videos/${k}/from_timestamp`,
      kind: 'float64',
      data: rows.map((r) => r.videos[k].from_timestamp),
    });
    cols.push({
      name: `videos/${k}/to_timestamp`,
      kind: 'float64',
      data: rows.map((r) => r.videos[k].to_timestamp),
    });
  }
  cols.push(...statColumns(rows, features));
  cols.push(int('meta/episodes/chunk_index', (r) => r.meta.chunk_index));
  cols.push(int('meta/episodes/file_index', (r) => r.meta.file_index));
  return encodeParquet(cols);
}

/** Reads every `meta/episodes/chunk-*\/file-*.parquet`, in (chunk, file) order. */
export async function loadEpisodes(root: string, features: Features): Promise<EpisodeMeta[]> {
  const dir = join(root, 'meta', 'episodes');
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const chunk of readdirSync(dir)
    .filter((d) => /^chunk-\d+$/.test(d))
    .sort()) {
    for (const f of readdirSync(join(dir, chunk))
      .filter((f) => /^file-\d+\.parquet$/.test(f))
      .sort())
      files.push(join(dir, chunk, f));
  }
  const out: EpisodeMeta[] = [];
  for (const path of files) out.push(...(await readEpisodesFile(path, features)));
  out.sort((a, b) => a.episode_index - b.episode_index);
  return out;
}

export async function readEpisodesFile(path: string, features: Features): Promise<EpisodeMeta[]> {
  const t = await readParquet(path);
  const c = t.columns;
  const need = [
    'episode_index',
    'tasks',
    'length',
    'data/chunk_index',
    'data/file_index',
    'dataset_from_index',
    'dataset_to_index',
  ];
  for (const n of need)
    if (!c[n]) throw new RobofmError('episodes_invalid', `${path}: column '${n}' missing`);
  const vkeys = videoKeys(features);
  for (const k of vkeys)
    for (const s of ['chunk_index', 'file_index', 'from_timestamp', 'to_timestamp'])
      if (!c[`videos/${k}/${s}`])
        throw new RobofmError('episodes_invalid', `${path}: column 'videos/${k}/${s}' missing`);
  const statCols = Object.keys(c).filter((n) => n.startsWith('stats/'));
  const rows: EpisodeMeta[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const n = (name: string) => Number(c[name][i]);
    const stats: DatasetStats = {};
    for (const name of statCols) {
      const parts = name.split('/');
      const stat = parts.pop() as string;
      const key = parts.slice(1).join('/');
      stats[key] ??= {} as FeatureStats;
      const v = c[name][i];
      stats[key][stat as keyof FeatureStats] = (Array.isArray(v) ? v.flat(3) : [v]).map(Number);
    }
    const videos: EpisodeMeta['videos'] = {};
    for (const k of vkeys) {
      videos[k] = {
        chunk_index: n(`videos/${k}/chunk_index`),
        file_index: n(`videos/${k}/file_index`),
        from_timestamp: n(`videos/${k}/from_timestamp`),
        to_timestamp: n(`videos/${k}/to_timestamp`),
      };
    }
    rows.push({
      episode_index: n('episode_index'),
      tasks: ((c.tasks[i] as unknown[]) ?? []).map(String),
      length: n('length'),
      data: { chunk_index: n('data/chunk_index'), file_index: n('data/file_index') },
      dataset_from_index: n('dataset_from_index'),
      dataset_to_index: n('dataset_to_index'),
      videos,
      meta: {
        chunk_index: c['meta/episodes/chunk_index'] ? n('meta/episodes/chunk_index') : 0,
        file_index: c['meta/episodes/file_index'] ? n('meta/episodes/file_index') : 0,
      },
      stats,
    });
  }
  return rows;
}

/** All features including the five defaults, in LeRobot's order (user features first). */
export function withDefaultFeatures(features: Features): Features {
  const out: Features = {};
  for (const [k, v] of Object.entries(features)) if (!(k in DEFAULT_FEATURES)) out[k] = v;
  return { ...out, ...structuredClone(DEFAULT_FEATURES) };
}
