import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeRobotDataset } from './dataset.ts';
import { DatasetWriter } from './dataset-writer.ts';
import { encodeParquet, readParquet } from './parquet.ts';
import { syntheticEmbodiment, writeSyntheticDataset } from './synthetic.ts';
import { type Problem, validateDataset } from './validate.ts';

let root: string;
let good: string;
const spec = syntheticEmbodiment('val_arm', {
  state: 3,
  action: 2,
  cameras: [{ name: 'top', width: 64, height: 64 }],
});
const DATA = 'data/chunk-000/file-000.parquet';
const VIDEO = 'videos/observation.images.top/chunk-000/file-000.mp4';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'robofm-validate-'));
  good = join(root, 'good');
  await writeSyntheticDataset(good, { episodes: 3, spec, length: () => 10 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function copy(): string {
  const d = join(root, `case${n++}`);
  cpSync(good, d, { recursive: true });
  return d;
}
const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error');

/** Rewrites the data parquet with one column changed (all other columns kept). */
async function rewriteData(
  dir: string,
  edit: (cols: Record<string, unknown[]>) => void,
  kinds: Record<string, string>,
): Promise<void> {
  const t = await readParquet(join(dir, DATA));
  edit(t.columns);
  writeFileSync(
    join(dir, DATA),
    encodeParquet(
      Object.keys(t.columns).map((name) => ({ name, kind: kinds[name] as never, data: t.columns[name] })),
    ),
  );
}
const KINDS: Record<string, string> = {
  'observation.state': 'list<float32>',
  action: 'list<float32>',
  'next.reward': 'float32',
  'next.done': 'bool',
  success: 'bool',
  subtask: 'string',
  quality: 'int64',
  embodiment: 'string',
  timestamp: 'float32',
  frame_index: 'int64',
  episode_index: 'int64',
  index: 'int64',
  task_index: 'int64',
};

describe('validate and bad input', () => {
  it('a fresh dataset is valid', async () => {
    expect(await validateDataset(good)).toEqual([]);
  });

  it('missing files are reported with their path', async () => {
    const d = copy();
    unlinkSync(join(d, VIDEO));
    const ps = errors(await validateDataset(d));
    expect(ps.some((p) => p.file === VIDEO && /not found/.test(p.message))).toBe(true);
    const d2 = copy();
    unlinkSync(join(d2, 'meta/info.json'));
    expect(errors(await validateDataset(d2))[0]).toMatchObject({
      file: 'meta/info.json',
      message: expect.stringMatching(/not found/),
    });
    await expect(LeRobotDataset.open(d2)).rejects.toThrow(/info.json: file not found/);
  });

  it('truncated parquet and mp4 files are reported, reading them fails clearly', async () => {
    const d = copy();
    truncateSync(join(d, DATA), Math.floor(statSync(join(d, DATA)).size / 2));
    const ps = errors(await validateDataset(d, { videos: false }));
    expect(ps.some((p) => p.file === DATA && /truncated or corrupt/.test(p.message))).toBe(true);
    const ds = await LeRobotDataset.open(d);
    await expect(ds.readEpisode(0)).rejects.toThrow(/file-000.parquet: not a readable parquet file/);

    const v = copy();
    truncateSync(join(v, VIDEO), Math.floor(statSync(join(v, VIDEO)).size / 3));
    const pv = errors(await validateDataset(v));
    expect(pv.some((p) => p.file === VIDEO)).toBe(true);
    const dv = await LeRobotDataset.open(v);
    await expect(dv.frame('observation.images.top', 2, 9)).rejects.toThrow(/file-000.mp4/);
  });

  it('non-monotonic timestamps, wrong shapes and bad bookkeeping name file and field', async () => {
    const d = copy();
    await rewriteData(
      d,
      (c) => {
        c.timestamp[5] = 0.1; // frame 5 of episode 0 goes back in time
        c['observation.state'][12] = [1, 2]; // wrong width
        c.frame_index[25] = 7n;
      },
      KINDS,
    );
    const ps = errors(await validateDataset(d, { videos: false }));
    expect(ps).toContainEqual(
      expect.objectContaining({
        file: DATA,
        field: 'timestamp',
        message: expect.stringMatching(/row 5 .*must increase/),
      }),
    );
    expect(ps).toContainEqual(
      expect.objectContaining({
        file: DATA,
        field: 'observation.state',
        message: expect.stringMatching(/row 12 .*2 values, expected shape \[3\]/),
      }),
    );
    expect(ps).toContainEqual(
      expect.objectContaining({ file: DATA, field: 'frame_index', message: expect.stringMatching(/row 25/) }),
    );
  });

  it('inconsistent metadata is reported against info.json', async () => {
    const d = copy();
    const info = JSON.parse(readFileSync(join(d, 'meta/info.json'), 'utf8'));
    info.total_frames = 99;
    info.features['observation.state'].shape = [0];
    writeFileSync(join(d, 'meta/info.json'), JSON.stringify(info));
    const ps = errors(await validateDataset(d));
    expect(ps).toContainEqual(
      expect.objectContaining({ file: 'meta/info.json', field: 'features.observation.state' }),
    );
    info.features['observation.state'].shape = [3];
    writeFileSync(join(d, 'meta/info.json'), JSON.stringify(info));
    const ps2 = errors(await validateDataset(d));
    expect(ps2).toContainEqual(
      expect.objectContaining({
        file: 'meta/info.json',
        field: 'total_frames',
        message: 'says 99, episode lengths sum to 30',
      }),
    );
  });

  it('a writer refuses to append to a corrupt dataset and leaves it untouched', async () => {
    const d = copy();
    truncateSync(join(d, 'meta/episodes/chunk-000/file-000.parquet'), 20);
    const before = readFileSync(join(d, 'meta/info.json'));
    await expect(DatasetWriter.open(d)).rejects.toThrow(/episodes\/chunk-000\/file-000.parquet/);
    expect(readFileSync(join(d, 'meta/info.json'))).toEqual(before);
  });
});
