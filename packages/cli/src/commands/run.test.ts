import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandArgs } from '../command.ts';
import { runCommand } from './run.ts';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number | undefined; last: Record<string, unknown> }> {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  const ctx = parseCommandArgs(runCommand, argv);
  const code = (await runCommand.run(ctx)) ?? 0;
  vi.restoreAllMocks();
  const lines = out.join('').trim().split('\n');
  return { code, last: JSON.parse(lines[lines.length - 1]) };
}

describe('robofm run', () => {
  it('runs an episode through an outage on the virtual clock, records and uploads it', async () => {
    const d = await mkdtemp(join(tmpdir(), 'robofm-run-'));
    dirs.push(d);
    const { code, last } = await run([
      '--embodiment',
      'di',
      '--policy',
      'expert',
      '--clock',
      'virtual',
      '--scheduler',
      'rtc',
      '--latency',
      '200ms',
      '--outage',
      '2s@1s',
      '--deadline',
      '300ms',
      '--seconds',
      '15',
      '--buffer',
      join(d, 'buf'),
      '--upload',
      join(d, 'up'),
      '--json',
    ]);
    expect(code).toBe(0);
    expect(last).toMatchObject({ success: true, limit_violations: 0, estopped: false });
    expect((last.switches as Array<{ to: string }>).map((s) => s.to)).toEqual(['fallback', 'remote']);
    expect(last.max_vel_frac as number).toBeLessThanOrEqual(1);
    expect(await readdir(join(d, 'up'))).toEqual([`${last.episode_id}.msgpack`]);
  });

  it('names bad flags', async () => {
    await expect(run(['--embodiment', 'di', '--latency', 'soon'])).rejects.toThrow(/--latency: got "soon"/);
    await expect(run(['--embodiment', 'di', '--outage', '3s'])).rejects.toThrow(/--outage/);
    await expect(run(['--policy', 'expert'])).rejects.toThrow(/--embodiment/);
    await expect(run(['--embodiment', 'di', '--scheduler', 'fast'])).rejects.toThrow(/--scheduler/);
  });
});
