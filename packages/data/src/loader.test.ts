import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentInto, BatchProducer } from './batch-producer.ts';
import { LeRobotDataset } from './dataset.ts';
import { computeStats, writeStats } from './dataset-stats.ts';
import { Loader, splitEpisodes } from './loader.ts';
import { unnormalize } from './norm.ts';
import {
  actionValue,
  stateValue,
  syntheticColour,
  syntheticEmbodiment,
  writeSyntheticDataset,
} from './synthetic.ts';

let root: string;
let dirA: string;
let dirB: string;
const specA = syntheticEmbodiment('arm_a', {
  state: 5,
  action: 4,
  cameras: [
    { name: 'top', width: 64, height: 64 },
    { name: 'wrist', width: 64, height: 64 },
  ],
});
const specB = syntheticEmbodiment('arm_b', {
  state: 7,
  action: 6,
  cameras: [{ name: 'front', width: 32, height: 24 }],
});

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'robofm-loader-'));
  dirA = join(root, 'a');
  dirB = join(root, 'b');
  await writeSyntheticDataset(dirA, { episodes: 6, spec: specA, length: (e) => 12 + e });
  await writeSyntheticDataset(dirB, {
    episodes: 4,
    spec: specB,
    length: () => 10,
    tasks: ['wipe the table'],
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Loader', () => {
  it('produces batches whose values invert exactly to the stored data', async () => {
    const loader = await Loader.create({
      sources: [{ root: dirA }, { root: dirB }],
      batchSize: 16,
      horizon: 8,
      imageWidth: 32,
      imageHeight: 32,
      workers: 0,
      split: 'all',
      seed: 3,
    });
    const dsA = await LeRobotDataset.open(dirA);
    const dsB = await LeRobotDataset.open(dirB);
    let padSeen = 0;
    for (let n = 0; n < 4; n++) {
      const b = await loader.next();
      expect(b.images).toHaveLength(16 * 2 * 32 * 32 * 3);
      expect(b.state).toHaveLength(16 * 32);
      expect(b.actions).toHaveLength(16 * 8 * 32);
      for (let i = 0; i < b.size; i++) {
        const isA = b.source[i] === 0;
        const spec = isA ? specA : specB;
        const ds = isA ? dsA : dsB;
        const e = b.episode[i];
        const t = b.frame[i];
        const len = ds.episode(e).length;
        const ns = spec.stateNames.length;
        const na = spec.actionNames.length;
        expect(b.embodiment[i]).toBe(spec.name);
        expect(b.instruction[i]).toBe(
          isA ? ['pick up the cube', 'open the drawer'][e % 2] : 'wipe the table',
        );
        expect(b.subtask[i]).toBe(t < len / 2 ? 'reach' : 'grasp');
        expect(b.quality[i]).toBe((e % 3) + 1);
        // state: mask, padding and exact inverse
        const stats = loader.normStats[spec.name];
        const st = unnormalize(b.state.subarray(i * 32, i * 32 + ns), stats['observation.state'], 'quantile');
        for (let j = 0; j < ns; j++) expect(st[j]).toBeCloseTo(stateValue(e, t, j), 3);
        for (let j = 0; j < 32; j++) expect(b.stateMask[i * 32 + j]).toBe(j < ns ? 1 : 0);
        for (let j = ns; j < 32; j++) expect(b.state[i * 32 + j]).toBe(0);
        // action chunk with pad mask at the episode end
        for (let k = 0; k < 8; k++) {
          const row = b.actions.subarray((i * 8 + k) * 32, (i * 8 + k) * 32 + na);
          const a = unnormalize(row, stats.action, 'quantile');
          const u = Math.min(t + k, len - 1);
          for (let j = 0; j < na; j++) expect(a[j]).toBeCloseTo(actionValue(e, u, j), 3);
          expect(b.actionIsPad[i * 8 + k]).toBe(t + k >= len ? 1 : 0);
          padSeen += b.actionIsPad[i * 8 + k];
        }
        // images: slot 1 missing for arm_b
        expect(b.imageMask[i * 2]).toBe(1);
        expect(b.imageMask[i * 2 + 1]).toBe(isA ? 1 : 0);
        const px = b.images[i * 2 * 32 * 32 * 3 + 16 * 32 * 3 + 16 * 3];
        expect(Math.abs(px - syntheticColour(e, t, 0))).toBeLessThanOrEqual(6);
      }
    }
    expect(padSeen).toBeGreaterThan(0);
    await loader.close();
  });

  it('is deterministic by seed, with worker threads, and seeds differ', async () => {
    const make = (seed: number) =>
      Loader.create({
        sources: [{ root: dirA }, { root: dirB }],
        batchSize: 8,
        horizon: 4,
        imageWidth: 16,
        imageHeight: 16,
        workers: 2,
        poolSize: 2,
        blockFrames: 20,
        seed,
      });
    const ids = async (l: Loader) => {
      const out: string[] = [];
      for (let n = 0; n < 4; n++) {
        const b = await l.next();
        for (let i = 0; i < b.size; i++) out.push(`${b.source[i]}/${b.episode[i]}/${b.frame[i]}`);
      }
      await l.close();
      return out;
    };
    const a = await ids(await make(7));
    const b = await ids(await make(7));
    const c = await ids(await make(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('splits train/val by episode, disjoint and complete', async () => {
    const s = splitEpisodes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.2, 1);
    expect(s.val).toHaveLength(2);
    expect([...s.train, ...s.val].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const val = await Loader.create({
      sources: [{ root: dirA, cameras: [] }],
      split: 'val',
      valFraction: 0.34,
      workers: 0,
      batchSize: 32,
      horizon: 2,
    });
    const train = await Loader.create({
      sources: [{ root: dirA, cameras: [] }],
      split: 'train',
      valFraction: 0.34,
      workers: 0,
      batchSize: 32,
      horizon: 2,
    });
    const vEps = new Set((await val.next()).episode);
    const tEps = new Set((await train.next()).episode);
    for (const e of vEps) expect(tEps.has(e)).toBe(false);
    expect(vEps.size).toBeGreaterThan(0);
  });

  it('draws sources by mixture weight', async () => {
    const l = await Loader.create({
      sources: [
        { root: dirA, weight: 3, cameras: [] },
        { root: dirB, weight: 1, cameras: [] },
      ],
      workers: 0,
      batchSize: 256,
      horizon: 1,
      split: 'all',
      poolSize: 64,
      blockFrames: 1,
      reuse: 0.1,
    });
    let a = 0;
    let n = 0;
    for (let k = 0; k < 8; k++) {
      const b = await l.next();
      for (const s of b.source) {
        a += s === 0 ? 1 : 0;
        n++;
      }
    }
    expect(a / n).toBeGreaterThan(0.68);
    expect(a / n).toBeLessThan(0.82);
  });

  it('keeps the frame cache within its budget', async () => {
    const loader = await Loader.create({
      sources: [{ root: dirA }],
      workers: 0,
      batchSize: 3,
      horizon: 2,
      imageWidth: 32,
      imageHeight: 32,
      split: 'all',
    });
    const p = new BatchProducer({ ...loader.config, cacheMb: 0.05, poolSize: 1, blockFrames: 1, reuse: 0.2 });
    await p.init();
    for (let k = 0; k < 4; k++) {
      await p.next();
      // one pinned episode (~17 frames × 2 cams × 12 KiB) may exceed the budget; nothing else stays
      expect(p.cachedBytes).toBeLessThanOrEqual(0.05 * 1024 * 1024 + 2 * 20 * 32 * 32 * 3);
    }
    expect(p.counters.episodesLoaded).toBeGreaterThan(3);
  });

  it('augments images for training only (crop + colour jitter)', async () => {
    const w = 8;
    const src = Uint8Array.from({ length: w * w * 3 }, (_, i) => (Math.floor(i / 3) % w) * 20 + 10);
    const dst = new Uint8Array(src.length);
    augmentInto(src, dst, w, w, { crop: 1, x0: 0, y0: 0, brightness: 1, contrast: 1 });
    expect(dst).toEqual(src);
    augmentInto(src, dst, w, w, { crop: 0.5, x0: 0.5, y0: 0, brightness: 1, contrast: 1 });
    expect(dst[0]).toBe(src[4 * 3]); // left edge of the output = column 4 of the input
    augmentInto(src, dst, w, w, { crop: 1, x0: 0, y0: 0, brightness: 1.2, contrast: 1 });
    expect(dst[3]).toBe(Math.min(255, Math.floor(src[3] * 1.2)));
    const opts = {
      sources: [{ root: dirB }],
      workers: 0,
      augment: { crop: 0.8, colorJitter: 0.3 },
      batchSize: 4,
      horizon: 2,
    };
    expect((await Loader.create({ ...opts, split: 'train' as const })).config.augment).not.toBeNull();
    expect((await Loader.create({ ...opts, split: 'val' as const })).config.augment).toBeNull();
  });

  it('uses exact per-embodiment stats once `data stats --write` stored them', async () => {
    const before = (await Loader.create({ sources: [{ root: dirB, cameras: [] }], workers: 0 })).normStats;
    const computed = await computeStats(dirB);
    await writeStats(dirB, computed);
    const after = (await Loader.create({ sources: [{ root: dirB, cameras: [] }], workers: 0 })).normStats;
    expect(after.arm_b.action.q01).toEqual(computed.byEmbodiment.arm_b.action.q01);
    expect(after.arm_b.action.mean[0]).toBeCloseTo(before.arm_b.action.mean[0], 6);
  });

  it('rejects bad options with the field named', async () => {
    await expect(Loader.create({ sources: [] })).rejects.toThrow(/sources/);
    await expect(Loader.create({ sources: [{ root: join(root, 'nope') }] })).rejects.toThrow(/not found/);
    await expect(Loader.create({ sources: [{ root: dirA }], padWidth: 3 })).rejects.toThrow(/padWidth=3/);
    await expect(
      Loader.create({ sources: [{ root: dirA, cameras: ['observation.images.nope'] }] }),
    ).rejects.toThrow(/cameras/);
  });
});
