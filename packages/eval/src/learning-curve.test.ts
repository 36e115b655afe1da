import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { learningCurve, learningCurvePng, runCheckpoints } from './learning-curve.ts';
import { buildReport, type EpisodeResult } from './report.ts';

function fakeRun(root: string, name: string, steps: number[]): string {
  const run = join(root, name);
  mkdirSync(run, { recursive: true });
  const lines = [];
  for (let s = 1; s <= Math.max(...steps); s++)
    lines.push(JSON.stringify({ step: s, loss: 1, elapsedS: s * 3 }));
  writeFileSync(join(run, 'metrics.jsonl'), `${lines.join('\n')}\n{"step": 9`); // torn last line
  for (const s of steps) {
    const d = join(run, `step-${String(s).padStart(7, '0')}`);
    mkdirSync(d);
    writeFileSync(join(d, 'config.json'), '{}');
  }
  mkdirSync(join(run, 'step-0000005')); // no config.json: not a checkpoint
  return run;
}

function episodes(successes: number, n: number): EpisodeResult[] {
  return Array.from({ length: n }, (_, i) => ({
    task: 'pick_place',
    embodiment: 'arm6',
    sceneSeed: i,
    instruction: 'x',
    success: i < successes,
    steps: 10,
    timeToSuccess: i < successes ? 1 : null,
    failureReason: i < successes ? null : 'timeout',
    edgeCases: [],
    wallMs: 1,
  }));
}

describe('learning curve', () => {
  it('lists step checkpoints with the training minutes they were written at', () => {
    const root = mkdtempSync(join(tmpdir(), 'curve-'));
    const run = fakeRun(root, 'flow', [40, 20]);
    expect(runCheckpoints(run).map((c) => [c.step, c.minutes])).toEqual([
      [20, 1],
      [40, 2],
    ]);
    expect(() => runCheckpoints(root)).toThrow(/--run.*metrics\.jsonl/);
  });

  it('reuses reports already evaluated with the same settings and writes curve.json + curve.png', async () => {
    const root = mkdtempSync(join(tmpdir(), 'curve-'));
    const run = fakeRun(root, 'flow', [20, 40]);
    const out = join(root, 'out');
    for (const [step, ok] of [
      [20, 3],
      [40, 8],
    ]) {
      const dir = join(out, 'flow', `step-${String(step).padStart(7, '0')}`);
      mkdirSync(dir, { recursive: true });
      const r = buildReport(episodes(ok, 10), {
        policy: 'x',
        seedStart: 0,
        episodesPerSuite: 10,
        wallSeconds: 1,
        suiteOrder: ['pick_place/arm6'],
      });
      writeFileSync(join(dir, 'report.json'), JSON.stringify(r));
    }
    // The fake checkpoints cannot be loaded: a fresh evaluation would throw, so success means reuse.
    const series = await learningCurve({ runs: [run], suite: 'pick_place/arm6', episodes: 10, outDir: out });
    expect(series[0].points.map((p) => [p.step, p.minutes, p.successes, p.success])).toEqual([
      [20, 1, 3, 0.3],
      [40, 2, 8, 0.8],
    ]);
    expect(series[0].points[1].ci95[0]).toBeLessThan(0.8);
    const png = readFileSync(join(out, 'curve.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(JSON.parse(readFileSync(join(out, 'curve.json'), 'utf8')).series[0].name).toBe('flow');
    expect(existsSync(join(out, 'flow', 'step-0000005'))).toBe(false);
  });

  it('draws each series in its own colour', () => {
    const pts = (s: number) => [
      { step: 1, minutes: 5, episodes: 10, successes: s, success: s / 10, ci95: [0, 1] as [number, number] },
    ];
    const a = learningCurvePng([{ name: 'flow', run: 'a', points: pts(5) }], { title: 't' });
    const b = learningCurvePng(
      [
        { name: 'flow', run: 'a', points: pts(5) },
        { name: 'token', run: 'b', points: pts(1) },
      ],
      { title: 't' },
    );
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).not.toBe(0);
  });
});
