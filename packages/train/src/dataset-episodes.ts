import { join } from 'node:path';
import { EMBODIMENTS, ProgressBar, RobofmError, ValidationError } from '@robofm/core';
import { decodeFrames, formatPath, loadEpisodes, loadInfo, loadTasks, readParquet } from '@robofm/data';
import type { EmbodimentInfo } from '@robofm/policy';
import type { Episode } from './episodes.ts';

export interface LoadedDataset {
  embodiment: string;
  info: EmbodimentInfo;
  episodes: Episode[];
}

const IMAGE_PREFIX = 'observation.images.';

/**
 * Reads a LeRobot v3.0 dataset into memory as episodes: state, action and instruction from the
 * parquet files; each camera's frames decoded from the mp4s (ffmpeg, resized with area averaging
 * to `imageSize`², so a frame costs imageSize²·3 bytes). For the small demonstration sets the demo
 * trains on; `maxEpisodes` bounds memory.
 */
export async function loadDatasetEpisodes(
  root: string,
  o: { imageSize: number; maxEpisodes?: number; weight?: number; progress?: boolean },
): Promise<LoadedDataset> {
  const info = loadInfo(root);
  const f = info.features;
  const state = f['observation.state'];
  const action = f.action;
  if (!state || !action)
    throw new ValidationError(`${root}/meta/info.json.features`, Object.keys(f), "'observation.state' and 'action'");
  const cams = Object.keys(f)
    .filter((k) => k.startsWith(IMAGE_PREFIX) && (f[k].dtype === 'video' || f[k].dtype === 'image'))
    .map((k) => ({ key: k, name: k.slice(IMAGE_PREFIX.length), height: f[k].shape[0], width: f[k].shape[1] }));
  const robotType = String(info.robot_type ?? 'robot');
  // Observations name the body (`arm6`); LeRobot's robot_type is its type (`robofm_arm6`).
  const embodiment = Object.values(EMBODIMENTS).find((e) => e.robotType === robotType)?.name ?? robotType;
  const einfo: EmbodimentInfo = {
    stateDim: state.shape[0],
    actionDim: action.shape[0],
    cameras: cams.map((c) => ({ name: c.name, width: c.width, height: c.height })),
    controlHz: info.fps,
  };
  const tasks = await loadTasks(root);
  let metas = await loadEpisodes(root, f);
  if (o.maxEpisodes !== undefined) metas = metas.slice(0, o.maxEpisodes);
  const S = o.imageSize;
  const bar = new ProgressBar({ total: metas.length, label: `load ${embodiment}`, unit: 'ep', enabled: o.progress ?? true });
  const episodes: Episode[] = [];
  const fileCache = new Map<string, Record<string, unknown[]>>();
  for (const m of metas) {
    const path = join(root, formatPath(info.data_path, m.data));
    let cols = fileCache.get(path);
    if (!cols) {
      cols = (await readParquet(path, { columns: ['observation.state', 'action', 'episode_index', 'task_index', 'index'] }))
        .columns;
      fileCache.clear();
      fileCache.set(path, cols);
    }
    const idx = cols.index.map(Number);
    const from = idx.indexOf(m.dataset_from_index);
    if (from < 0) throw new RobofmError('dataset_invalid', `${path}: row with index ${m.dataset_from_index} missing`);
    const T = m.length;
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
      ep.action.push(Float32Array.from(cols.action[from + t] as ArrayLike<number>));
    }
    for (const c of cams) {
      const v = m.videos[c.key];
      if (!v || !info.video_path) throw new RobofmError('dataset_invalid', `${root}: episode ${m.episode_index} has no video for ${c.key}`);
      const vpath = join(root, formatPath(info.video_path, { video_key: c.key, ...v }));
      const frames: Uint8Array[] = [];
      const opts = { start: v.from_timestamp, count: T, fps: info.fps, width: c.width, height: c.height };
      for await (const fr of decodeFrames(vpath, { ...opts, outWidth: S, outHeight: S })) frames.push(fr);
      ep.images[c.name] = frames;
    }
    episodes.push(ep);
    bar.tick();
  }
  bar.finish();
  return { embodiment, info: einfo, episodes };
}
