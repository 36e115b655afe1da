import { type EmbodimentSpec, ValidationError } from '@robofm/core';

/**
 * LeRobot feature descriptions (`meta/info.json` → `features`). Keys are kept exactly as LeRobot
 * spells them (`observation.state`, `observation.images.<cam>`, `next.reward`).
 */
export type FeatureDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'string' | 'video' | 'image';

export interface VideoInfo {
  'video.height': number;
  'video.width': number;
  'video.codec': string;
  'video.pix_fmt': string;
  'video.is_depth_map': boolean;
  'video.fps': number;
  'video.channels': number;
  has_audio: boolean;
  [k: string]: unknown;
}

export interface FeatureSpec {
  dtype: FeatureDtype;
  /** `[1]` for scalars, `[d]` for vectors, `[H, W, C]` for images / videos. */
  shape: number[];
  names: string[] | null | Record<string, string[]>;
  info?: VideoInfo;
}

export type Features = Record<string, FeatureSpec>;

/** The five bookkeeping columns every LeRobot data parquet has. */
export const DEFAULT_FEATURES: Features = {
  timestamp: { dtype: 'float32', shape: [1], names: null },
  frame_index: { dtype: 'int64', shape: [1], names: null },
  episode_index: { dtype: 'int64', shape: [1], names: null },
  index: { dtype: 'int64', shape: [1], names: null },
  task_index: { dtype: 'int64', shape: [1], names: null },
};

export const CODEBASE_VERSION = 'v3.0';
export const DEFAULT_CHUNK_SIZE = 1000;
export const DEFAULT_DATA_FILE_SIZE_IN_MB = 100;
export const DEFAULT_VIDEO_FILE_SIZE_IN_MB = 200;
export const DEFAULT_DATA_PATH = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const DEFAULT_VIDEO_PATH = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';
export const DEFAULT_EPISODES_PATH = 'meta/episodes/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const INFO_PATH = 'meta/info.json';
export const STATS_PATH = 'meta/stats.json';
export const TASKS_PATH = 'meta/tasks.parquet';
/** v2.1 layout. */
export const LEGACY_EPISODES_PATH = 'meta/episodes.jsonl';
export const LEGACY_EPISODES_STATS_PATH = 'meta/episodes_stats.jsonl';
export const LEGACY_TASKS_PATH = 'meta/tasks.jsonl';

/** `meta/info.json` as LeRobot v3.0 writes it. */
export interface DatasetInfo {
  codebase_version: string;
  robot_type: string | null;
  total_episodes: number;
  total_frames: number;
  total_tasks: number;
  chunks_size: number;
  data_files_size_in_mb: number;
  video_files_size_in_mb: number;
  fps: number;
  splits: Record<string, string>;
  data_path: string;
  video_path: string | null;
  features: Features;
  [k: string]: unknown;
}

/** Fills a LeRobot path template: `{chunk_index:03d}`, `{file_index:03d}`, `{video_key}`, `{episode_index:06d}`… */
export function formatPath(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)(?::0?(\d+)d)?\}/g, (_m, key: string, width?: string) => {
    const v = values[key];
    if (v === undefined) throw new ValidationError(`path template ${template}`, key, 'a known placeholder');
    return width ? String(v).padStart(Number(width), '0') : String(v);
  });
}

export function isVisual(f: FeatureSpec): boolean {
  return f.dtype === 'video' || f.dtype === 'image';
}

export function videoKeys(features: Features): string[] {
  return Object.keys(features).filter((k) => features[k].dtype === 'video');
}

/** Number of scalar values in one frame of a non-visual feature. */
export function featureWidth(f: FeatureSpec): number {
  return f.shape.reduce((a, b) => a * b, 1);
}

/** Names as a flat list (LeRobot sometimes stores `{"motors": [...]}`). */
export function flatNames(f: FeatureSpec): string[] | null {
  if (f.names === null || f.names === undefined) return null;
  if (Array.isArray(f.names)) return f.names;
  return Object.values(f.names).flat();
}

/** Checks one feature description; throws a ValidationError naming the field. */
export function validateFeatureSpec(key: string, f: FeatureSpec): void {
  const allowed: FeatureDtype[] = [
    'float32',
    'float64',
    'int32',
    'int64',
    'bool',
    'string',
    'video',
    'image',
  ];
  if (!f || typeof f !== 'object')
    throw new ValidationError(`features.${key}`, f, 'an object {dtype, shape, names}');
  if (!allowed.includes(f.dtype))
    throw new ValidationError(`features.${key}.dtype`, f.dtype, `one of ${allowed.join(', ')}`);
  if (!Array.isArray(f.shape) || f.shape.length === 0 || !f.shape.every((d) => Number.isInteger(d) && d > 0))
    throw new ValidationError(`features.${key}.shape`, f.shape, 'a non-empty list of positive integers');
  if (isVisual(f) && (f.shape.length !== 3 || f.shape[2] !== 3))
    throw new ValidationError(`features.${key}.shape`, f.shape, '[height, width, 3] for an RGB camera');
  if (!isVisual(f) && f.shape.length !== 1)
    throw new ValidationError(`features.${key}.shape`, f.shape, '[d] (one axis) for a non-image feature');
  const names = flatNames(f);
  if (names && !isVisual(f) && names.length !== f.shape[0])
    throw new ValidationError(`features.${key}.names`, names, `${f.shape[0]} names (shape[0])`);
}

export interface EmbodimentFeatureOptions {
  /** Store cameras as mp4 (`video`, default) or not at all (`none`). */
  cameras?: 'video' | 'none';
  /** robofm's extra per-frame columns (ordinary LeRobot features). Default: all true. */
  reward?: boolean;
  done?: boolean;
  success?: boolean;
  subtask?: boolean;
  quality?: boolean;
  embodiment?: boolean;
  /** Any further features to add verbatim. */
  extra?: Features;
}

/**
 * LeRobot `features` for a robot body: `observation.state`, `action`, one video per camera
 * (`observation.images.<cam>`), and robofm's extra columns: `next.reward` (float32), `next.done`
 * (bool), `success` (bool), `subtask` (string), `quality` (int64 tier: 0 unknown, 1 low, 2 medium,
 * 3 high/expert), `embodiment` (string).
 */
export function featuresFromEmbodiment(spec: EmbodimentSpec, opts: EmbodimentFeatureOptions = {}): Features {
  const on = (v: boolean | undefined) => v !== false;
  const features: Features = {
    'observation.state': { dtype: 'float32', shape: [spec.stateNames.length], names: [...spec.stateNames] },
    action: { dtype: 'float32', shape: [spec.actionNames.length], names: [...spec.actionNames] },
  };
  if ((opts.cameras ?? 'video') === 'video') {
    for (const cam of spec.cameras) {
      features[`observation.images.${cam.name}`] = {
        dtype: 'video',
        shape: [cam.height, cam.width, 3],
        names: ['height', 'width', 'channels'],
      };
    }
  }
  if (on(opts.reward)) features['next.reward'] = { dtype: 'float32', shape: [1], names: null };
  if (on(opts.done)) features['next.done'] = { dtype: 'bool', shape: [1], names: null };
  if (on(opts.success)) features.success = { dtype: 'bool', shape: [1], names: null };
  if (on(opts.subtask)) features.subtask = { dtype: 'string', shape: [1], names: null };
  if (on(opts.quality)) features.quality = { dtype: 'int64', shape: [1], names: null };
  if (on(opts.embodiment)) features.embodiment = { dtype: 'string', shape: [1], names: null };
  Object.assign(features, opts.extra ?? {});
  return features;
}

/** One frame value as a caller passes it to `addFrame`. */
export type FrameValue =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | number[]
  | number
  | bigint
  | boolean
  | string;

/** Checks one frame value against its feature; returns the error text or null. */
export function checkFrameValue(key: string, f: FeatureSpec, v: unknown): string | null {
  if (v === undefined) return `features.${key}: missing from frame`;
  if (isVisual(f)) {
    const [h, w, c] = f.shape;
    if (!(v instanceof Uint8Array))
      return `${key}: got ${typeName(v)}, expected Uint8Array HWC ${h}x${w}x${c}`;
    if (v.length !== h * w * c) return `${key}: got length ${v.length}, expected ${h}x${w}x${c}=${h * w * c}`;
    return null;
  }
  if (f.dtype === 'string')
    return typeof v === 'string' ? null : `${key}: got ${typeName(v)}, expected a string`;
  const width = featureWidth(f);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    if (width !== 1) return `${key}: got a scalar, expected ${width} values`;
    if (typeof v === 'number' && !Number.isFinite(v) && f.dtype !== 'float32' && f.dtype !== 'float64')
      return `${key}: got ${v}, expected a finite number`;
    return null;
  }
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const len = (v as { length: number }).length;
    if (len !== width) return `${key}: got length ${len}, expected shape [${f.shape.join(', ')}]`;
    return null;
  }
  return `${key}: got ${typeName(v)}, expected ${f.dtype}[${f.shape.join(', ')}]`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v))
    return `${v.constructor.name}(length ${(v as unknown as { length: number }).length})`;
  if (Array.isArray(v)) return `array(length ${v.length})`;
  return typeof v;
}
