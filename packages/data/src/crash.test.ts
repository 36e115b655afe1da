import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LeRobotDataset } from './dataset.ts';
import { STAGING_DIR } from './staging.ts';
import { validateDataset } from './validate.ts';

const fixture = new URL('./crash-writer.fixture.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'robofm-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (f === STAGING_DIR) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

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

describe('crash safety (SIGKILL of the writer process)', () => {
  it('a kill mid-episode leaves the dataset byte-identical; a kill after the commit point completes the episode', async () => {
    const first = await runChild('after-rename:99'); // two complete episodes
    expect(first.signal).toBeNull();
    await checkValid(2);
    const before = snapshot(dir);

    // Killed while streaming frames of episode 2.
    const mid = await runChild('mid', (l) => l === 'frame 2 20');
    expect(mid.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, STAGING_DIR))).toBe(true);
    await checkValid(2);
    expect(snapshot(dir)).toEqual(before);

    // Killed right after the commit point (journal written, nothing renamed yet): rolled forward.
    const j = await runChild('after-journal');
    expect(j.signal).toBe('SIGKILL');
    expect(snapshot(dir)['meta/info.json']).toBe(before['meta/info.json']);
    await checkValid(3);
  });
});
