import { join } from 'node:path';
import { EMBODIMENTS, ProgressBar, RobofmError, ValidationError } from '@robofm/core';
import {
  decodeFrames,
  formatPath,
  loadEpisodes,
  loadInfo,
  loadTasks,
  probeVideo,
  readParquet,
} from '@robofm/data';
import type { EmbodimentInfo } from '@robofm/policy';
import { deltaIndexFor } from './delta-index.ts';
import type { Episode } from './episodes.ts';

export interface LoadedDataset {
  embodiment: string;
  info: EmbodimentInfo;
  episodes: Episode[];
}

const IMAGE_PREFIX = 'observation.images.';
/** LeRobot's privileged environment state (robofm: the task's object and destination positions). */
const ENV_STATE = 'observation.environment_state';
/** robofm's end-effector positions (world x/y/z per end-effector site), labels for learned kinematics. */
const EE_POS = 'observation.ee_pos';
/** robofm's focus in image coordinates: per camera `<camera>.object_u|object_v|dest_u|dest_v`. */
const FOCUS_UV = 'observation.focus_uv';

/**
 * Reads a LeRobot v3.0 dataset into memory as episodes: state, action and instruction from the
 * parquet files; each camera's frames decoded from the mp4s (ffmpeg, resized with area averaging
 * to `imageSize`², so a frame costs imageSize²·3 bytes). For the small demonstration sets the demo
 * trains on; `maxEpisodes` bounds memory.
 */
export async function loadDatasetEpisodes(
  root: string,
  o: {
    imageSize: number;
    maxEpisodes?: number;
    weight?: number;
    progress?: boolean;
    onlySuccessful?: boolean;
  },
): Promise<LoadedDataset> {
  const info = loadInfo(root);
  const f = info.features;
  const state = f['observation.state'];
  const action = f.action;
  // A dataset without actions (perception frames from `robofm sim scenes`) trains only the
  // auxiliary task, so it must carry the environment state instead.
  if (!state || (!action && !f[ENV_STATE]))
    throw new ValidationError(
      `${root}/meta/info.json.features`,
      Object.keys(f),
      `'observation.state' and 'action' (or '${ENV_STATE}' for a perception-only dataset)`,
    );
  const cams = Object.keys(f)
    .filter((k) => k.startsWith(IMAGE_PREFIX) && (f[k].dtype === 'video' || f[k].dtype === 'image'))
    .map((k) => ({
      key: k,
      name: k.slice(IMAGE_PREFIX.length),
      height: f[k].shape[0],
      width: f[k].shape[1],
    }));
  const robotType = String(info.robot_type ?? 'robot');
  // Observations name the body (`arm6`); LeRobot's robot_type is its type (`robofm_arm6`).
  const embodiment = Object.values(EMBODIMENTS).find((e) => e.robotType === robotType)?.name ?? robotType;
  const einfo: EmbodimentInfo = {
    stateDim: state.shape[0],
    actionDim: action?.shape[0] ?? 0,
    cameras: cams.map((c) => ({ name: c.name, width: c.width, height: c.height })),
    controlHz: info.fps,
    deltaIndex: action
      ? deltaIndexFor(
          embodiment,
          namesOf(state.names, state.shape[0]),
          namesOf(action.names, action.shape[0]),
        )
      : undefined,
  };
  const focusCams = f[FOCUS_UV] ? focusCameras(root, f[FOCUS_UV].names) : undefined;
  const tasks = await loadTasks(root);
  let metas = await loadEpisodes(root, f);
  if (o.maxEpisodes !== undefined) metas = metas.slice(0, o.maxEpisodes);
  const S = o.imageSize;
  const bar = new ProgressBar({
    total: metas.length,
    label: `load ${embodiment}`,
    unit: 'ep',
    enabled: o.progress ?? true,
  });
  const episodes: Episode[] = [];
  let skipped = 0;
  const fileCache = new Map<string, Record<string, unknown[]>>();
  // Each mp4 holds many episodes: decode it once, front to back (one ffmpeg per file, not per episode).
  const videoCache = new Map<string, Uint8Array[]>();
  const videoFrames = async (
    vpath: string,
    c: { width: number; height: number },
    fps: number,
    size: number,
  ) => {
    let frames = videoCache.get(vpath);
    if (!frames) {
      frames = [];
      const probe = probeVideo(vpath);
      const count = Math.max(probe.frames, Math.round(probe.duration * fps)) + 2;
      try {
        for await (const fr of decodeFrames(vpath, {
          start: 0,
          count,
          fps,
          width: c.width,
          height: c.height,
          outWidth: size,
          outHeight: size,
        }))
          frames.push(fr);
      } catch (e) {
        if (frames.length === 0) throw e; // asked for a little more than the file has, to be sure to get every frame
      }
      videoCache.set(vpath, frames);
    }
    return frames;
  };
  for (const m of metas) {
    const path = join(root, formatPath(info.data_path, m.data));
    let cols = fileCache.get(path);
    if (!cols) {
      const wanted = ['observation.state', 'episode_index', 'task_index', 'index'];
      if (action) wanted.push('action');
      if (f.success) wanted.push('success');
      if (f[ENV_STATE]) wanted.push(ENV_STATE);
      if (focusCams) wanted.push(FOCUS_UV);
      if (f[EE_POS]) wanted.push(EE_POS);
      cols = (await readParquet(path, { columns: wanted })).columns;
      fileCache.clear();
      fileCache.set(path, cols);
    }
    const idx = cols.index.map(Number);
    const from = idx.indexOf(m.dataset_from_index);
    if (from < 0)
      throw new RobofmError('dataset_invalid', `${path}: row with index ${m.dataset_from_index} missing`);
    const T = m.length;
    // Failed demonstrations (the dataset's `success` column says so) are left out of training.
    if ((o.onlySuccessful ?? true) && cols.success && !cols.success.slice(from, from + T).some(Boolean)) {
      skipped++;
      bar.tick();
      continue;
    }
    const ep: Episode = {
      embodiment,
      instruction: m.tasks[0] ?? tasks[Number(cols.task_index[from])] ?? '',
      state: [],
      action: [],
      images: {},
      imageHeight: S,
      imageWidth: S,
      weight: o.weight,
    };
    for (let t = 0; t < T; t++) {
      ep.state.push(Float32Array.from(cols['observation.state'][from + t] as ArrayLike<number>));
      if (action) ep.action.push(Float32Array.from(cols.action[from + t] as ArrayLike<number>));
    }
    if (m.tasks.length > 1)
      ep.instructions = cols.task_index.slice(from, from + T).map((k) => tasks[Number(k)] ?? ep.instruction);
    const env = cols[ENV_STATE];
    if (env) ep.envState = env.slice(from, from + T).map((r) => Float32Array.from(r as ArrayLike<number>));
    const ee = cols[EE_POS];
    if (ee) ep.eePos = ee.slice(from, from + T).map((r) => Float32Array.from(r as ArrayLike<number>));
    if (focusCams) {
      const rows = cols[FOCUS_UV].slice(from, from + T) as ArrayLike<number>[];
      ep.focusUv = Object.fromEntries(
        focusCams.map((cam, k) => [
          cam,
          rows.map((r) => Float32Array.from({ length: 4 }, (_, j) => r[4 * k + j])),
        ]),
      );
    }
    for (const c of cams) {
      const v = m.videos[c.key];
      if (!v || !info.video_path)
        throw new RobofmError(
          'dataset_invalid',
          `${root}: episode ${m.episode_index} has no video for ${c.key}`,
        );
      const vpath = join(root, formatPath(info.video_path, { video_key: c.key, ...v }));
      const all = await videoFrames(vpath, c, info.fps, S);
      const first = Math.round(v.from_timestamp * info.fps);
      if (first + T > all.length)
        throw new RobofmError(
          'dataset_invalid',
          `${vpath}: episode ${m.episode_index} needs frames ${first}..${first + T - 1}, the file has ${all.length}`,
        );
      ep.images[c.name] = all.slice(first, first + T);
    }
    episodes.push(ep);
    bar.tick();
  }
  bar.finish(skipped ? `${skipped} unsuccessful episodes left out` : undefined);
  if (episodes.length === 0)
    throw new RobofmError('dataset_empty', `${root}: no successful episodes to train on`);
  return { embodiment, info: einfo, episodes };
}

/** Feature names as a flat list (LeRobot allows a list or `{motors: [...]}`). */
function namesOf(names: unknown, width: number): string[] {
  const list = Array.isArray(names)
    ? names
    : names && typeof names === 'object'
      ? Object.values(names)[0]
      : undefined;
  return Array.isArray(list) && list.length === width
    ? list.map(String)
    : Array.from({ length: width }, (_, i) => `dim_${i}`);
}

/** The cameras of an `observation.focus_uv` feature, from its names (4 per camera, in order). */
function focusCameras(root: string, names: unknown): string[] {
  const parts = ['object_u', 'object_v', 'dest_u', 'dest_v'];
  const ok =
    Array.isArray(names) &&
    names.length % 4 === 0 &&
    names.every((n, i) => typeof n === 'string' && n.endsWith(`.${parts[i % 4]}`));
  if (!ok)
    throw new ValidationError(
      `${root}/meta/info.json.features.${FOCUS_UV}.names`,
      names,
      `<camera>.${parts.join(', <camera>.')} for each camera`,
    );
  return (names as string[]).filter((_, i) => i % 4 === 0).map((n) => n.slice(0, -'.object_u'.length));
}
