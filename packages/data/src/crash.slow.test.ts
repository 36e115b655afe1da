import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LeRobotDataset } from './dataset.ts';
import { STAGING_DIR } from './staging.ts';
import { validateDataset } from './validate.ts';

const fixture = new URL('./crash-writer.fixture.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'robofm-crash-slow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer child; resolves when it exits. `killWhen` inspects stdout lines and returns true to SIGKILL it. */
function runChild(
  mode: string,
  killWhen?: (line: string) => boolean,
  killAfterMs?: number,
): Promise<{ signal: string | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture, dir, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        if (killWhen?.(l)) child.kill('SIGKILL');
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = killAfterMs ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code && code !== 0) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ signal, lines });
    });
  });
}

async function checkValid(expectEpisodes?: number): Promise<number> {
  const ds = await LeRobotDataset.open(dir); // recovers
  expect(existsSync(join(dir, STAGING_DIR))).toBe(false);
  const problems = (await validateDataset(dir)).filter((p) => p.severity === 'error');
  expect(problems).toEqual([]);
  if (expectEpisodes !== undefined) expect(ds.episodes.length).toBe(expectEpisodes);
  // every committed episode's rows are readable and its last video frame decodes
  for (const e of ds.episodes) {
    const d = await ds.readEpisode(e.episode_index);
    expect((d.columns['observation.state'] as Float32Array)[0]).toBe(e.episode_index);
  }
  const last = ds.episodes[ds.episodes.length - 1];
  if (last) await ds.frame('observation.images.top', last.episode_index, last.length - 1);
  return ds.episodes.length;
}

describe('crash safety under repeated kills (slow)', () => {
  it('kills between renames and at arbitrary moments never corrupt; the writer resumes', async () => {
    const first = await runChild('after-rename:99');
    expect(first.signal).toBeNull();
    await checkValid(2);

    // Killed after the second rename of a commit: rolled forward.
    const r = await runChild('after-rename:1');
    expect(r.signal).toBe('SIGKILL');
    await checkValid(3);

    // Kills at arbitrary moments of a continuous recording.
    let n = 3;
    for (const ms of [900, 1700, 2600, 3500]) {
      const run = await runChild('loop', undefined, ms);
      const committed = run.lines.filter((l) => l.startsWith('committed')).length;
      const now = await checkValid();
      expect(now === n + committed || now === n + committed + 1).toBe(true);
      n = now;
    }

    // Resumable: a fresh writer appends after all that.
    const resumed = await runChild('after-rename:99');
    expect(resumed.signal).toBeNull();
    await checkValid(n + 2);
  });
});
