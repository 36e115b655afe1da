import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'testing', 'train-child.ts');

function run(out: string, steps: number, killAtStep?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, out, String(steps)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    let timer: NodeJS.Timeout | undefined;
    if (killAtStep !== undefined) {
      timer = setInterval(() => {
        const m = join(out, 'metrics.jsonl');
        if (existsSync(m) && readFileSync(m, 'utf8').trim().split('\n').length >= killAtStep)
          p.kill('SIGKILL');
      }, 20);
    }
    p.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      if (code === 0 || signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

const losses = (out: string) =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; loss: number });

describe('trainer (process level)', () => {
  it('after kill -9 mid-run, resuming gives the same loss curve as an uninterrupted run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kill9-'));
    await run(join(root, 'straight'), 14);
    await run(join(root, 'killed'), 14, 8);
    const partial = losses(join(root, 'killed'));
    expect(partial.length).toBeGreaterThanOrEqual(8);
    expect(partial.length).toBeLessThan(14);
    await run(join(root, 'killed'), 14);
    expect(losses(join(root, 'killed')).map((r) => [r.step, r.loss])).toEqual(
      losses(join(root, 'straight')).map((r) => [r.step, r.loss]),
    );
  }, 300_000);
});
