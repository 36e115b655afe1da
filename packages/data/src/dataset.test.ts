import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeRobotDataset } from './dataset.ts';
import { DatasetWriter } from './dataset-writer.ts';
import { featuresFromEmbodiment } from './features.ts';
import { STAGING_DIR } from './staging.ts';
import { validateDataset } from './validate.ts';
import {
  actionValue,
  stateValue,
  syntheticColour,
  syntheticEmbodiment,
  writeSyntheticDataset,
} from './synthetic.ts';

const spec = syntheticEmbodiment('arm_a', {
  state: 5,
  action: 4,
  cameras: [
    { name: 'top', width: 64, height: 64 },
    { name: 'wrist', width: 32, height: 24 },
  ],
});

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'robofm-data-'));
  await writeSyntheticDataset(dir, { episodes: 4, spec });
  // Resume and append two more episodes in a second writer session.
  await writeSyntheticDataset(dir, { episodes: 2, spec });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LeRobot v3.0 write/read', () => {
  it('writes the exact v3.0 layout and info.json fields', () => {
    const info = JSON.parse(readFileSync(join(dir, 'meta/info.json'), 'utf8'));
    expect(info.codebase_version).toBe('v3.0');
    expect(info.total_episodes).toBe(6);
    expect(info.total_tasks).toBe(2);
    expect(info.total_frames).toBe([0, 1, 2, 3, 4, 5].reduce((a, e) => a + 20 + (e % 3) * 5, 0));
    expect(info.chunks_size).toBe(1000);
    expect(info.data_files_size_in_mb).toBe(100);
    expect(info.video_files_size_in_mb).toBe(200);
    expect(info.data_path).toBe('data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet');
    expect(info.video_path).toBe('videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4');
    expect(info.splits).toEqual({ train: '0:6' });
    expect(info.robot_type).toBe('arm_a');
    expect(info.features.timestamp).toEqual({ dtype: 'float32', shape: [1], names: null });
    const top = info.features['observation.images.top'];
    expect(top.dtype).toBe('video');
    expect(top.shape).toEqual([64, 64, 3]);
    expect(top.info['video.codec']).toBe('av1');
    expect(top.info['video.pix_fmt']).toBe('yuv420p');
    expect(info.features['observation.images.wrist'].info['video.codec']).toBe('h264');
    for (const p of [
      'meta/stats.json',
      'meta/tasks.parquet',
      'meta/episodes/chunk-000/file-000.parquet',
      'data/chunk-000/file-000.parquet',
      'videos/observation.images.top/chunk-000/file-000.mp4',
      'videos/observation.images.wrist/chunk-000/file-000.mp4',
    ])
      expect(existsSync(join(dir, p)), p).toBe(true);
    expect(existsSync(join(dir, STAGING_DIR))).toBe(false);
    const stats = JSON.parse(readFileSync(join(dir, 'meta/stats.json'), 'utf8'));
    expect(Object.keys(stats['observation.state']).sort()).toEqual(
      ['count', 'max', 'mean', 'min', 'q01', 'q10', 'q50', 'q90', 'q99', 'std'].sort(),
    );
    expect(stats['observation.images.top'].mean).toHaveLength(3);
    expect(stats['observation.images.top'].mean[0]).toHaveLength(1);
  });

  it('reads non-video features back bit-exact', async () => {
    const ds = await LeRobotDataset.open(dir);
    expect(ds.episodes).toHaveLength(6);
    expect(ds.tasks).toEqual(['pick up the cube', 'open the drawer']);
    let index = 0;
    for (const e of ds.episodes) {
      const d = await ds.readEpisode(e.episode_index);
      const s = d.columns['observation.state'] as Float32Array;
      const a = d.columns.action as Float32Array;
      for (let t = 0; t < d.length; t++) {
        for (let j = 0; j < 5; j++) expect(s[t * 5 + j]).toBe(Math.fround(stateValue(e.episode_index, t, j)));
        for (let j = 0; j < 4; j++)
          expect(a[t * 4 + j]).toBe(Math.fround(actionValue(e.episode_index, t, j)));
        expect(d.columns.frame_index[t]).toBe(t);
        expect(d.columns.index[t]).toBe(index++);
        expect(d.columns.timestamp[t]).toBe(Math.fround(t / 10));
      }
      expect((d.columns.subtask as string[])[0]).toBe('reach');
      expect(d.columns['next.done'][d.length - 1]).toBe(1);
      expect(d.columns.task_index[0]).toBe(e.episode_index % 2);
      expect(e.stats['observation.state'].count[0]).toBe(d.length);
      expect(e.stats['observation.state'].min[0]).toBe(stateValue(e.episode_index, 0, 0));
    }
    // global stats = exact over all frames for mean/min/max
    const all = ds.episodes.flatMap((e) =>
      Array.from({ length: e.length }, (_, t) => stateValue(e.episode_index, t, 0)),
    );
    const mean = all.reduce((x, y) => x + y, 0) / all.length;
    expect(ds.stats?.['observation.state'].mean[0]).toBeCloseTo(mean, 3);
    expect(ds.stats?.['observation.state'].max[0]).toBe(Math.max(...all));
  });

  it('decodes video frames by timestamp within codec tolerance, many episodes per file', async () => {
    const ds = await LeRobotDataset.open(dir);
    expect(ds.episodes[3].videos['observation.images.top'].from_timestamp).toBeCloseTo(
      (ds.episodes[0].length + ds.episodes[1].length + ds.episodes[2].length) / 10,
      6,
    );
    for (const e of [0, 5]) {
      const len = ds.episode(e).length;
      for (const t of [7, len - 1]) {
        const top = await ds.frame('observation.images.top', e, t);
        expect(Math.abs(top[0] - syntheticColour(e, t, 0))).toBeLessThanOrEqual(4);
        const wrist = await ds.frame('observation.images.wrist', e, t);
        expect(wrist.length).toBe(32 * 24 * 3);
        expect(Math.abs(wrist[0] - syntheticColour(e, t, 1))).toBeLessThanOrEqual(4);
      }
      // streamed sequential decode with resize
      let t = 0;
      for await (const f of ds.frames('observation.images.top', e, { width: 16, height: 16 })) {
        expect(f.length).toBe(16 * 16 * 3);
        expect(Math.abs(f[0] - syntheticColour(e, t, 0))).toBeLessThanOrEqual(4);
        t++;
      }
      expect(t).toBe(len);
    }
  });

  it('rejects bad frames without touching the dataset and can abort', async () => {
    const before = readFileSync(join(dir, 'meta/info.json'), 'utf8');
    const w = await DatasetWriter.open(dir);
    try {
      w.beginEpisode({ task: 'x' });
      const good = {
        'observation.state': new Float32Array(5),
        action: new Float32Array(4),
        'observation.images.top': new Uint8Array(64 * 64 * 3),
        'observation.images.wrist': new Uint8Array(32 * 24 * 3),
        'next.reward': 0,
        'next.done': false,
        success: false,
        subtask: 's',
        quality: 1,
        embodiment: 'arm_a',
      };
      await expect(w.addFrame({ ...good, action: new Float32Array(3) })).rejects.toThrow(
        /action: got length 3, expected shape \[4\]/,
      );
      await expect(w.addFrame({ ...good, 'observation.images.top': new Uint8Array(10) })).rejects.toThrow(
        /observation.images.top/,
      );
      const { subtask: _s, ...missing } = good;
      await expect(w.addFrame(missing)).rejects.toThrow(/subtask: missing/);
      await w.addFrame(good, { timestamp: 0.5 });
      await expect(w.addFrame(good, { timestamp: 0.4 })).rejects.toThrow(/strictly increasing/);
      await w.abortEpisode();
      await expect(w.commitEpisode()).rejects.toThrow(/no open episode/);
    } finally {
      await w.close();
    }
    expect(readFileSync(join(dir, 'meta/info.json'), 'utf8')).toBe(before);
    await expect(
      DatasetWriter.create(dir, { fps: 10, features: featuresFromEmbodiment(spec) }),
    ).rejects.toThrow(/not empty/);
  });

  it('rolls over to new data, video and episodes files at the size caps', async () => {
    const d = mkdtempSync(join(tmpdir(), 'robofm-roll-'));
    try {
      const small = syntheticEmbodiment('roll', {
        state: 2,
        action: 2,
        cameras: [{ name: 'c', width: 32, height: 24 }],
      });
      const w = await DatasetWriter.create(d, {
        fps: 10,
        features: featuresFromEmbodiment(small),
        dataFilesSizeInMb: 1e-6,
        videoFilesSizeInMb: 1e-6,
        chunksSize: 2,
      });
      await w.close();
      await writeSyntheticDataset(d, { episodes: 3, spec: small, length: () => 6 });
      for (const p of [
        'data/chunk-000/file-001.parquet',
        'data/chunk-001/file-000.parquet',
        'videos/observation.images.c/chunk-001/file-000.mp4',
        'meta/episodes/chunk-001/file-000.parquet',
      ])
        expect(existsSync(join(d, p)), p).toBe(true);
      const ds = await LeRobotDataset.open(d);
      expect(ds.episodes.map((e) => [e.data.chunk_index, e.data.file_index])).toEqual([
        [0, 0],
        [0, 1],
        [1, 0],
      ]);
      expect(ds.episodes[2].videos['observation.images.c'].from_timestamp).toBe(0);
      expect((await ds.readEpisode(2)).columns.index[0]).toBe(12);
      expect(await validateDataset(d)).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('an independent reader (DuckDB) sees our columns and row counts', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const q = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJS();
    const data = await q(
      `SELECT count(*) AS n, max("index") AS maxi, count(DISTINCT episode_index) AS eps FROM '${dir}/data/chunk-000/file-000.parquet'`,
    );
    const info = JSON.parse(readFileSync(join(dir, 'meta/info.json'), 'utf8'));
    expect(Number(data[0].n)).toBe(info.total_frames);
    expect(Number(data[0].maxi)).toBe(info.total_frames - 1);
    expect(Number(data[0].eps)).toBe(6);
    const cols = await q(`DESCRIBE SELECT * FROM '${dir}/data/chunk-000/file-000.parquet'`);
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]));
    expect(types).toMatchObject({
      'observation.state': 'FLOAT[]',
      action: 'FLOAT[]',
      timestamp: 'FLOAT',
      frame_index: 'BIGINT',
      episode_index: 'BIGINT',
      index: 'BIGINT',
      task_index: 'BIGINT',
      'next.reward': 'FLOAT',
      'next.done': 'BOOLEAN',
      subtask: 'VARCHAR',
    });
    const st = await q(
      `SELECT "observation.state"[2] AS s FROM '${dir}/data/chunk-000/file-000.parquet' WHERE episode_index = 3 AND frame_index = 4`,
    );
    expect(Number(st[0].s)).toBe(Math.fround(stateValue(3, 4, 1)));
    const eps = await q(
      `SELECT episode_index, length, dataset_from_index, "videos/observation.images.top/from_timestamp" AS f, "stats/observation.state/mean" AS m, tasks FROM '${dir}/meta/episodes/chunk-000/file-000.parquet' ORDER BY episode_index`,
    );
    expect(eps).toHaveLength(6);
    expect(Number(eps[1].dataset_from_index)).toBe(Number(eps[0].length));
    const tasks = await q(`SELECT task, task_index FROM '${dir}/meta/tasks.parquet' ORDER BY task_index`);
    expect(tasks.map((t) => t.task)).toEqual(['pick up the cube', 'open the drawer']);
    con.closeSync();
  });
});
