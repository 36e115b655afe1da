import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@robofm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../command.ts';
import { simRenderCommand } from './sim-render.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('robofm sim render', () => {
  it('writes every camera side by side (plus the overview) as a PNG', async () => {
    const d = await mkdtemp(join(tmpdir(), 'robofm-sim-render-'));
    dirs.push(d);
    const out = join(d, 'x.png');
    const ctx = parseCommandArgs(simRenderCommand, [
      '--embodiment',
      'bimanual',
      '--scene-seed',
      '2',
      '--size',
      '32',
      '--overview',
      '--out',
      out,
    ]);
    expect(await simRenderCommand.run(ctx)).toBe(0);
    const png = await readFile(out);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // IHDR: width = 5 panels × 32 + 4 gaps × 4, height 32.
    expect(png.readUInt32BE(16)).toBe(5 * 32 + 4 * 4);
    expect(png.readUInt32BE(20)).toBe(32);
  });

  it('names the bad flag', async () => {
    const ctx = parseCommandArgs(simRenderCommand, ['--size', '3']);
    await expect(Promise.resolve().then(() => simRenderCommand.run(ctx))).rejects.toThrow(ValidationError);
    expect(() => parseCommandArgs(simRenderCommand, ['--embodiment', 'tripod'])).toThrow(/--embodiment/);
  });
});
