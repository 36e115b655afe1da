import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectDataset, mixedTier } from './collect.ts';

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
