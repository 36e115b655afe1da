import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readParquet } from '@robofm/data';
import { describe, expect, it } from 'vitest';
import { collectDataset, collectScenes, mixedTier } from './collect.ts';

describe('collectDataset', () => {
  it('writes a LeRobot v3 dataset with subtasks, quality and outcome from train scenes', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'robofm-collect-')), 'ds');
    const s = await collectDataset({
      embodiment: 'arm6',
      task: 'button',
      episodes: 2,
      quality: 'expert',
      out,
      progress: false,
    });
    expect(s.episodes).toBe(2);
    expect(s.successes).toBe(2);
    const info = JSON.parse(readFileSync(join(out, 'meta', 'info.json'), 'utf8'));
    expect(info.total_episodes).toBe(2);
    expect(info.total_frames).toBe(s.frames);
    for (const k of [
      'observation.images.front',
      'observation.images.wrist',
      'subtask',
      'quality',
      'success',
      'scene_seed',
      'edge_case',
    ])
      expect(info.features[k], k).toBeDefined();
    // button has no goal objects, so no privileged focus column
    expect(info.features['observation.environment_state']).toBeUndefined();
  });
  it('sim scenes: first frames of many scenes, focus labels and per-frame instructions, no actions', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'robofm-scenes-')), 'ds');
    const s = await collectScenes({
      embodiment: 'arm6',
      task: 'pick_place',
      scenes: 3,
      out,
      progress: false,
    });
    expect(s.frames).toBe(3);
    const info = JSON.parse(readFileSync(join(out, 'meta', 'info.json'), 'utf8'));
    expect(info.features.action).toBeUndefined();
    expect(info.features['observation.environment_state'].shape).toEqual([6]);
    expect(info.features['observation.focus_uv'].names.slice(0, 4)).toEqual([
      'front.object_u',
      'front.object_v',
      'front.dest_u',
      'front.dest_v',
    ]);
    expect(info.total_frames).toBe(3);
    const { columns } = await readParquet(join(out, 'data', 'chunk-000', 'file-000.parquet'), {
      columns: ['task_index', 'scene_seed'],
    });
    expect(new Set(columns.scene_seed.map(Number)).size).toBe(3);
    expect(info.total_tasks).toBeGreaterThan(1);
    expect(columns.task_index.map(Number).length).toBe(3);
    await expect(
      collectScenes({ embodiment: 'arm6', task: 'button', scenes: 1, out: `${out}-b`, progress: false }),
    ).rejects.toThrow(/goal objects/);
  });
  it("sim scenes --arm-poses demo: the arm in the expert's poses from other scenes, the same labels", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'robofm-scenes-'));
    const opts = { embodiment: 'arm6', task: 'pick_place', scenes: 4, progress: false } as const;
    await collectScenes({ ...opts, out: join(dir, 'start') });
    await collectScenes({ ...opts, out: join(dir, 'demo'), armPoses: 'demo' });
    const read = async (name: string) =>
      (
        await readParquet(join(dir, name, 'data', 'chunk-000', 'file-000.parquet'), {
          columns: ['observation.state', 'observation.environment_state', 'observation.ee_pos'],
        })
      ).columns as Record<string, number[][]>;
    const start = await read('start');
    const demo = await read('demo');
    // same scenes, same labels …
    expect(demo['observation.environment_state']).toEqual(start['observation.environment_state']);
    // … but the arm is elsewhere, in a different pose on each frame, and its hand moved with it
    const moved = (a: number[], b: number[]) => Math.max(...a.map((x, k) => Math.abs(x - b[k])));
    for (let i = 0; i < 4; i++) {
      expect(moved(demo['observation.state'][i], start['observation.state'][i])).toBeGreaterThan(0.05);
      expect(moved(demo['observation.ee_pos'][i], start['observation.ee_pos'][i])).toBeGreaterThan(0.01);
    }
    expect(new Set(demo['observation.state'].map((r) => r.join(','))).size).toBe(4);
    await expect(
      collectScenes({ ...opts, out: join(dir, 'bad'), armPoses: 'random' as 'demo' }),
    ).rejects.toThrow(/--arm-poses/);
  });
  it('goal tasks record the focus (object and destination) as observation.environment_state', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'robofm-collect-')), 'ds');
    await collectDataset({
      embodiment: 'arm6',
      task: 'pick_place',
      episodes: 1,
      quality: 'expert',
      out,
      progress: false,
    });
    const info = JSON.parse(readFileSync(join(out, 'meta', 'info.json'), 'utf8'));
    expect(info.features['observation.environment_state']).toEqual({
      dtype: 'float32',
      shape: [6],
      names: ['object_x', 'object_y', 'object_z', 'dest_x', 'dest_y', 'dest_z'],
    });
    const { columns } = await readParquet(join(out, 'data', 'chunk-000', 'file-000.parquet'), {
      columns: ['observation.environment_state', 'observation.focus_uv'],
    });
    const rows = columns['observation.environment_state'] as number[][];
    // … and the same two points in each camera's image (front: in view throughout; u, v ∈ [0, 1]).
    expect(info.features['observation.focus_uv'].shape).toEqual([8]); // front and wrist, 4 each
    const uv = columns['observation.focus_uv'] as number[][];
    for (const r of uv) for (const x of r.slice(0, 4)) expect(x >= 0 && x <= 1).toBe(true);
    const lastUv = uv[uv.length - 1];
    expect(Math.hypot(lastUv[0] - lastUv[2], lastUv[1] - lastUv[3])).toBeLessThan(0.1); // object at its bin
    expect(rows.length).toBe(info.total_frames);
    // the object starts on the table (z ≈ 0.75 + half its height) and ends in the bin (near dest x/y)
    expect(rows[0][2]).toBeGreaterThan(0.75);
    const last = rows[rows.length - 1];
    expect(Math.hypot(last[0] - last[3], last[1] - last[4])).toBeLessThan(0.08);
    // the end effector's position on every frame: it starts away from the object and comes to it
    expect(info.features['observation.ee_pos'].shape).toEqual([3]);
    const ee = (
      await readParquet(join(out, 'data', 'chunk-000', 'file-000.parquet'), {
        columns: ['observation.ee_pos'],
      })
    ).columns['observation.ee_pos'] as number[][];
    expect(ee.length).toBe(rows.length);
    const gap = (t: number) => Math.hypot(ee[t][0] - rows[t][0], ee[t][1] - rows[t][1]);
    const closest = Math.min(...rows.map((_, t) => gap(t)));
    expect(closest).toBeLessThan(0.02);
    expect(closest).toBeLessThan(gap(0) / 2);
    // frame 0 is the start pose, as the same scene rendered without an expert (no step taken) has it
    const scenes = `${out}-scene`;
    await collectScenes({ embodiment: 'arm6', task: 'pick_place', scenes: 1, out: scenes, progress: false });
    const start = (
      await readParquet(join(scenes, 'data', 'chunk-000', 'file-000.parquet'), {
        columns: ['observation.ee_pos'],
      })
    ).columns['observation.ee_pos'] as number[][];
    for (let k = 0; k < 3; k++) expect(ee[0][k]).toBeCloseTo(start[0][k], 5);
  });
  it('refuses held-out scenes and bad options', async () => {
    const out = mkdtempSync(join(tmpdir(), 'robofm-collect-'));
    await expect(
      collectDataset({
        embodiment: 'arm6',
        task: 'button',
        episodes: 1,
        quality: 'expert',
        out,
        sceneSeeds: 'heldout' as 'train',
      }),
    ).rejects.toThrow(/held-out/);
    await expect(
      collectDataset({ embodiment: 'bimanual', task: 'button', episodes: 1, quality: 'expert', out }),
    ).rejects.toThrow(/--embodiment/);
    await expect(
      collectDataset({ embodiment: 'arm6', task: 'button', episodes: 1, quality: 'great' as 'expert', out }),
    ).rejects.toThrow(/--quality/);
  });
  it('mixes tiers deterministically', () => {
    const tiers = Array.from({ length: 400 }, (_, i) => mixedTier(i));
    expect(tiers).toEqual(Array.from({ length: 400 }, (_, i) => mixedTier(i)));
    const share = (t: string) => tiers.filter((x) => x === t).length / 400;
    expect(share('expert')).toBeGreaterThan(0.5);
    expect(share('noisy')).toBeGreaterThan(0.15);
    expect(share('failing')).toBeGreaterThan(0.08);
  });
});
