import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEval } from './run-eval.ts';

describe('runEval in worker threads', () => {
  it('gives the same results as in-thread and writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'robofm-eval-'));
    const o = {
      policy: 'expert',
      suite: 'pick_place/arm6,handover',
      episodes: 3,
      seedStart: 0,
      progress: false,
    };
    const par = await runEval({ ...o, workers: 2, outDir: dir });
    const seq = await runEval({ ...o, workers: 0 });
    expect(par.episodes.map((e) => [e.task, e.sceneSeed, e.success, e.steps])).toEqual(
      seq.episodes.map((e) => [e.task, e.sceneSeed, e.success, e.steps]),
    );
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });
});
