import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbodimentSpec } from '@robofm/core';
import { columnKind } from './dataset-writer.ts';
import { featuresFromEmbodiment, formatPath } from './features.ts';
import { withDefaultFeatures } from './metadata.ts';
import { encodeParquet } from './parquet.ts';
import { RunningStats } from './stats.ts';
import { actionValue, stateValue, syntheticImage } from './synthetic.ts';
import { chooseCodec, codecName, VideoEncoder } from './video.ts';

/**
 * Writes a LeRobot v2.1 dataset (one parquet and one mp4 per episode, jsonl metadata) with the
 * synthetic values of synthetic.ts — the input of the v2.1 read and convert tests.
 */
export async function writeV21Dataset(dir: string, spec: EmbodimentSpec, lengths: number[]): Promise<void> {
  const fps = spec.controlHz;
  const features = withDefaultFeatures(
    featuresFromEmbodiment(spec, { quality: false, embodiment: false, success: false }),
  );
  const vkeys = spec.cameras.map((c) => `observation.images.${c.name}`);
  for (const [i, c] of spec.cameras.entries()) {
    features[vkeys[i]].info = {
      'video.height': c.height,
      'video.width': c.width,
      'video.codec': codecName(chooseCodec(c.width, c.height)),
      'video.pix_fmt': 'yuv420p',
      'video.is_depth_map': false,
      'video.fps': fps,
      'video.channels': 3,
      has_audio: false,
    };
  }
  const dataPath = 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet';
  const videoPath = 'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4';
  const tasks = ['stack the blocks', 'push the button'];
  const total = lengths.reduce((a, b) => a + b, 0);
  mkdirSync(join(dir, 'meta'), { recursive: true });
  writeFileSync(
    join(dir, 'meta/info.json'),
    JSON.stringify(
      {
        codebase_version: 'v2.1',
        robot_type: spec.robotType,
        total_episodes: lengths.length,
        total_frames: total,
        total_tasks: tasks.length,
        total_videos: lengths.length * vkeys.length,
        total_chunks: 1,
        chunks_size: 1000,
        fps,
        splits: { train: `0:${lengths.length}` },
        data_path: dataPath,
        video_path: videoPath,
        features,
      },
      null,
      4,
    ),
  );
  writeFileSync(
    join(dir, 'meta/tasks.jsonl'),
    `${tasks.map((task, task_index) => JSON.stringify({ task_index, task })).join('\n')}\n`,
  );
  const epLines: string[] = [];
  const statLines: string[] = [];
  let index = 0;
  for (const [e, len] of lengths.entries()) {
    const cols: Record<string, unknown[]> = {};
    const keys = Object.keys(features).filter((k) => features[k].dtype !== 'video');
    for (const k of keys) cols[k] = [];
    for (let t = 0; t < len; t++) {
      cols['observation.state'].push(spec.stateNames.map((_, j) => stateValue(e, t, j)));
      cols.action.push(spec.actionNames.map((_, j) => actionValue(e, t, j)));
      cols['next.reward'].push(t === len - 1 ? 1 : 0);
      cols['next.done'].push(t === len - 1);
      cols.subtask.push(t < len / 2 ? 'reach' : 'grasp');
      cols.timestamp.push(t / fps);
      cols.frame_index.push(t);
      cols.episode_index.push(e);
      cols.index.push(index++);
      cols.task_index.push(e % 2);
    }
    const p = join(dir, formatPath(dataPath, { episode_chunk: 0, episode_index: e }));
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(
      p,
      encodeParquet(keys.map((k) => ({ name: k, kind: columnKind(features[k]), data: cols[k] }))),
    );
    for (const [ci, c] of spec.cameras.entries()) {
      const vp = join(
        dir,
        formatPath(videoPath, { episode_chunk: 0, episode_index: e, video_key: vkeys[ci] }),
      );
      mkdirSync(join(vp, '..'), { recursive: true });
      const enc = new VideoEncoder(vp, c.width, c.height, fps, chooseCodec(c.width, c.height));
      for (let t = 0; t < len; t++) await enc.write(syntheticImage(e, t, ci, c.width, c.height));
      await enc.finish();
    }
    epLines.push(JSON.stringify({ episode_index: e, tasks: [tasks[e % 2]], length: len }));
    const rs = new RunningStats(spec.stateNames.length);
    rs.update(cols['observation.state'].flat() as number[], len);
    const { min, max, mean, std, count } = rs.result();
    statLines.push(
      JSON.stringify({ episode_index: e, stats: { 'observation.state': { min, max, mean, std, count } } }),
    );
  }
  writeFileSync(join(dir, 'meta/episodes.jsonl'), `${epLines.join('\n')}\n`);
  writeFileSync(join(dir, 'meta/episodes_stats.jsonl'), `${statLines.join('\n')}\n`);
}
