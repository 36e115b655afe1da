import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticEmbodiment, writeSyntheticDataset, writeV21Dataset } from '@robofm/data';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Command, parseCommandArgs } from '../command.ts';
import { dataConvertCommand } from './data-convert.ts';
import { dataInfoCommand } from './data-info.ts';
import { dataStatsCommand } from './data-stats.ts';
import { dataValidateCommand } from './data-validate.ts';
import { dataViewCommand } from './data-view.ts';

let root: string;
let ds: string;
beforeAll(async () => {
  process.env.ROBOFM_PROGRESS = '0';
  root = mkdtempSync(join(tmpdir(), 'robofm-data-cli-'));
  ds = join(root, 'ds');
  const spec = syntheticEmbodiment('cli_arm', {
    state: 3,
    action: 2,
    cameras: [{ name: 'top', width: 64, height: 64 }],
  });
  await writeSyntheticDataset(ds, { episodes: 3, spec, length: () => 12 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(cmd: Command, argv: string[]): Promise<{ code: number; out: string; last: string }> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  try {
    const code = (await cmd.run(parseCommandArgs(cmd, argv))) ?? 0;
    const text = out.join('');
    const lines = text.trim().split('\n');
    return { code, out: text, last: lines[lines.length - 1] };
  } finally {
    spy.mockRestore();
  }
}

describe('robofm data …', () => {
  it('info --json summarises the dataset', async () => {
    const r = await run(dataInfoCommand, [ds, '--json']);
    const j = JSON.parse(r.last);
    expect(j).toMatchObject({ codebase_version: 'v3.0', total_episodes: 3, total_frames: 36, fps: 10 });
    expect(j.features['observation.images.top']).toMatch(/^video\[64,64,3\] av1 yuv420p/);
  });

  it('validate exits 0 on a good dataset and 1 with file and field on a broken one', async () => {
    expect((await run(dataValidateCommand, [ds])).code).toBe(0);
    const bad = join(root, 'bad');
    await writeSyntheticDataset(bad, {
      episodes: 2,
      spec: syntheticEmbodiment('b', { cameras: [] }),
      length: () => 5,
    });
    truncateSync(join(bad, 'data/chunk-000/file-000.parquet'), 30);
    const r = await run(dataValidateCommand, [bad, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.last);
    expect(j.valid).toBe(false);
    expect(j.problems[0]).toMatchObject({ file: 'data/chunk-000/file-000.parquet', severity: 'error' });
  });

  it('stats --write --json gives global and per-embodiment stats with quantiles', async () => {
    const r = await run(dataStatsCommand, [ds, '--write', '--json']);
    const j = JSON.parse(r.last);
    expect(Object.keys(j.by_embodiment)).toEqual(['cli_arm']);
    expect(j.global['observation.state'].count).toEqual([36]);
    expect(j.global.action.q99).toHaveLength(2);
    const written = JSON.parse(readFileSync(join(ds, 'meta/stats.json'), 'utf8'));
    expect(written['observation.state'].q50).toEqual(j.global['observation.state'].q50);
    expect(existsSync(join(ds, 'meta/stats_by_embodiment.json'))).toBe(true);
    expect((await run(dataValidateCommand, [ds])).code).toBe(0);
  });

  it('view writes PNG strips, curves and an HTML page', async () => {
    const out = join(root, 'view');
    const r = await run(dataViewCommand, [ds, '--episode', '1', '--out', out, '--frames', '4']);
    expect(r.code).toBe(0);
    for (const f of [
      'episode_000001_observation.images.top.png',
      'episode_000001_observation.state.png',
      'episode_000001_action.png',
    ]) {
      const png = readFileSync(join(out, f));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
    expect(readFileSync(join(out, 'episode_000001.html'), 'utf8')).toMatch(
      /episode_000001_observation.images.top.png/,
    );
  });

  it('convert turns v2.1 into v3.0', async () => {
    const old = join(root, 'old');
    await writeV21Dataset(
      old,
      syntheticEmbodiment('old', { state: 2, action: 2, cameras: [{ name: 'c', width: 32, height: 24 }] }),
      [6, 7],
    );
    const r = await run(dataConvertCommand, [old, '--out', join(root, 'new')]);
    expect(r.last).toMatch(/converted 2 episodes \(13 frames\)/);
    expect((await run(dataValidateCommand, [join(root, 'new')])).code).toBe(0);
  });
});
