import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertV21ToV30 } from './convert.ts';
import { LeRobotDataset } from './dataset.ts';
import { actionValue, stateValue, syntheticColour, syntheticEmbodiment } from './synthetic.ts';
import { writeV21Dataset } from './v21-fixture.ts';
import { validateDataset } from './validate.ts';

let root: string;
const spec = syntheticEmbodiment('old_arm', {
  state: 3,
  action: 2,
  cameras: [{ name: 'front', width: 64, height: 64 }],
});
const lengths = [12, 9, 15];

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'robofm-v21-'));
  await writeV21Dataset(join(root, 'v21'), spec, lengths);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('LeRobot v2.1', () => {
  it('reads v2.1 directly', async () => {
    const ds = await LeRobotDataset.open(join(root, 'v21'));
    expect(ds.version).toBe('v2.1');
    expect(ds.episodes.map((e) => e.length)).toEqual(lengths);
    expect(ds.tasks).toEqual(['stack the blocks', 'push the button']);
    const d = await ds.readEpisode(2);
    expect((d.columns['observation.state'] as Float32Array)[3 * 4 + 1]).toBe(
      Math.fround(stateValue(2, 4, 1)),
    );
    const f = await ds.frame('observation.images.front', 2, 7);
    expect(Math.abs(f[0] - syntheticColour(2, 7, 0))).toBeLessThanOrEqual(4);
  });

  it('converts v2.1 to a valid v3.0 dataset without touching the source', async () => {
    const src = join(root, 'v21');
    const before = hashes(src);
    const out = join(root, 'v30');
    const r = await convertV21ToV30(src, out);
    expect(r).toEqual({ episodes: 3, frames: 36 });
    expect(hashes(src)).toEqual(before);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect((await validateDataset(out)).filter((p) => p.severity === 'error')).toEqual([]);
    const info = JSON.parse(readFileSync(join(out, 'meta/info.json'), 'utf8'));
    expect(info.codebase_version).toBe('v3.0');
    expect(info.total_chunks).toBeUndefined();
    expect(info.data_path).toBe('data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet');
    const ds = await LeRobotDataset.open(out);
    expect(ds.episodes[2].videos['observation.images.front'].from_timestamp).toBeCloseTo((12 + 9) / 10, 4);
    expect(ds.episodes[1].stats['observation.state'].q50).toHaveLength(3);
    for (const [e, len] of lengths.entries()) {
      const d = await ds.readEpisode(e);
      expect(d.length).toBe(len);
      const a = d.columns.action as Float32Array;
      for (let t = 0; t < len; t++) expect(a[t * 2 + 1]).toBe(Math.fround(actionValue(e, t, 1)));
      const f = await ds.frame('observation.images.front', e, len - 1);
      expect(Math.abs(f[0] - syntheticColour(e, len - 1, 0))).toBeLessThanOrEqual(4);
    }
    await expect(convertV21ToV30(src, out)).rejects.toThrow(/not empty/);
    await expect(convertV21ToV30(out, join(root, 'again'))).rejects.toThrow(/expects v2.1/);
  });
});
