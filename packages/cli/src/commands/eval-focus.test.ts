import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDataset, collectScenes } from '@robofm/eval';
import { applyOverrides, getPreset, loadSources, train } from '@robofm/train';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandArgs } from '../command.ts';
import { evalFocusCommand } from './eval-focus.ts';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function focus(argv: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await evalFocusCommand.run(parseCommandArgs(evalFocusCommand, argv));
  vi.restoreAllMocks();
  const lines = out.join('').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('robofm eval focus', () => {
  it("reports a model's localization errors beside the mean guess; refuses models without the task", async () => {
    const d = await mkdtemp(join(tmpdir(), 'robofm-focus-'));
    dirs.push(d);
    // A perception-only set is refused alone; the demos give the body its actions.
    await collectDataset({
      embodiment: 'arm6',
      task: 'pick_place',
      episodes: 1,
      quality: 'expert',
      out: join(d, 'demos'),
      progress: false,
    });
    await collectScenes({
      embodiment: 'arm6',
      task: 'pick_place',
      scenes: 4,
      out: join(d, 'scenes'),
      progress: false,
    });
    await expect(loadSources(join(d, 'scenes'), { imageSize: 32, progress: false })).rejects.toThrow(
      /a dataset with actions/,
    );
    const cfg = applyOverrides(getPreset('tiny'), {
      out: join(d, 'run'),
      steps: '3',
      'model.auxWeight': '1',
      'model.focusWeight': '1',
      datasets: `${join(d, 'demos')},${join(d, 'scenes')}`,
    });
    const source = await loadSources(cfg.datasets, { imageSize: cfg.model.imageSize, progress: false });
    // The loader gives every camera's focus labels, per frame.
    const ep = source.episodes[0];
    expect(Object.keys(ep.focusUv!)).toEqual(['front', 'wrist']);
    expect(ep.focusUv!.front).toHaveLength(ep.state.length);
    await train({ config: cfg, source, progress: false });
    const r = await focus(['--policy', join(d, 'run'), '--scenes', '3', '--json']);
    expect(r.scenes).toBe(3);
    expect(r.split).toBe('heldout');
    expect(r.paraphrases).toBe('heldout');
    const tp = await focus(['--policy', join(d, 'run'), '--scenes', '1', '--paraphrases', 'train', '--json']);
    expect([tp.split, tp.paraphrases]).toEqual(['heldout', 'train']);
    expect(r.armPoses).toBe('start');
    // The same scenes with the arm in demonstration poses: the truth is the same, the pictures are not.
    const sheet = join(d, 'misses', 'sheet.png');
    const moved = await focus([
      '--policy',
      join(d, 'run'),
      '--scenes',
      '3',
      '--arm-poses',
      'demo',
      '--sheet',
      sheet,
      '--json',
    ]);
    // a picture of the misses: one row of up to 4 front-camera images (96², 4×) with a label strip
    const png = readFileSync(sheet);
    expect(png.readUInt32BE(16)).toBe(4 * 96 * 4);
    expect(png.readUInt32BE(20)).toBe(96 * 4 + 12);
    expect(moved.armPoses).toBe('demo');
    expect(moved.meanGuess).toEqual(r.meanGuess);
    expect(moved.object).not.toEqual(r.object);
    for (const k of ['object', 'dest'] as const) {
      const s = r[k] as { meanCm: number; within5cm: number };
      expect(Number.isFinite(s.meanCm) && s.meanCm >= 0, k).toBe(true);
      expect((r.meanGuess as Record<string, { meanCm: number }>)[k].meanCm).toBeGreaterThan(0);
      for (const part of [r.heatmap, r.keypoints]) {
        const h = (part as Record<string, { meanCm: number }>)[k];
        expect(Number.isFinite(h.meanCm) && h.meanCm >= 0, k).toBe(true);
      }
    }
    expect((r.heatmap as { camera: string }).camera).toBe('front');
    expect((r.keypoints as { camera: string }).camera).toBe('front');
    const plain = applyOverrides(getPreset('tiny'), {
      out: join(d, 'plain'),
      steps: '1',
      datasets: join(d, 'demos'),
    });
    await train({
      config: plain,
      source: await loadSources(plain.datasets, { imageSize: 32, progress: false }),
      progress: false,
    });
    await expect(focus(['--policy', join(d, 'plain'), '--scenes', '1'])).rejects.toThrow(/auxiliary task/);
    await expect(focus(['--policy', join(d, 'run'), '--scenes', '0'])).rejects.toThrow(/--scenes/);
  });
});
