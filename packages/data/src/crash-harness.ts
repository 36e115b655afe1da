import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { LeRobotDataset } from './dataset.ts';
import { STAGING_DIR } from './staging.ts';
import { validateDataset } from './validate.ts';

/**
 * Test harness for the crash-safety suites: runs `crash-writer.fixture.ts` on dataset `dir` as a
 * child process that can be SIGKILLed at chosen moments, and checks what it leaves behind.
 */
export function crashHarness(dir: string) {
  const fixture = new URL('./crash-writer.fixture.ts', import.meta.url).pathname;

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

  return { snapshot, runChild, checkValid };
}
