import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Canvas, GLYPH_H, type Rgb, ValidationError, textWidth } from '@robofm/core';
import type { EvalReport } from './report.ts';
import { parseSuite, runEval } from './run-eval.ts';

/** One saved checkpoint of a training run and when it was written (training wall-clock minutes). */
export interface RunCheckpoint {
  dir: string;
  step: number;
  minutes: number;
}

/** One evaluated point of a learning curve. */
export interface CurvePoint {
  step: number;
  minutes: number;
  episodes: number;
  successes: number;
  success: number;
  ci95: [number, number];
}

export interface CurveSeries {
  /** The run directory's name (flow, token, …). */
  name: string;
  run: string;
  points: CurvePoint[];
}

/**
 * The `step-*` checkpoints of a training run directory, oldest first, each with the training
 * minutes at which it was written (the `elapsedS` of that step in the run's `metrics.jsonl`).
 */
export function runCheckpoints(runDir: string): RunCheckpoint[] {
  const dir = resolve(runDir);
  const metricsPath = join(dir, 'metrics.jsonl');
  if (!existsSync(metricsPath))
    throw new ValidationError('--run', runDir, 'a training run directory with metrics.jsonl');
  const elapsed = new Map<number, number>();
  for (const line of readFileSync(metricsPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { step?: number; elapsedS?: number };
      if (typeof r.step === 'number' && typeof r.elapsedS === 'number') elapsed.set(r.step, r.elapsedS);
    } catch {
      // a torn last line after kill -9: ignore it
    }
  }
  const steps = [...elapsed.keys()].sort((a, b) => a - b);
  const minutesAt = (step: number): number => {
    let best = 0;
    for (const s of steps) if (s <= step) best = elapsed.get(s)!;
    return best / 60;
  };
  const out: RunCheckpoint[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^step-(\d+)$/.exec(name);
    if (!m || !existsSync(join(dir, name, 'config.json'))) continue;
    const step = Number(m[1]);
    out.push({ dir: join(dir, name), step, minutes: minutesAt(step) });
  }
  if (out.length === 0)
    throw new ValidationError('--run', runDir, 'a run directory holding step-* checkpoints');
  return out.sort((a, b) => a.step - b.step);
}

/**
 * Evaluates every checkpoint of each run on the same held-out scenes and returns the curves. A
 * checkpoint whose report already sits in `<outDir>/<run>/step-N/report.json` with the same suite
 * and first seed and at least as many episodes is not evaluated again: an interrupted curve resumes,
 * and a few points (the last one, say) can be evaluated on more scenes first.
 */
export async function learningCurve(o: {
  runs: string[];
  suite: string;
  episodes: number;
  outDir: string;
  workers?: number;
  seedStart?: number;
  edgeCases?: unknown;
  /** Only these steps (default: every checkpoint). */
  steps?: number[];
  onPoint?: (series: string, p: CurvePoint) => void;
}): Promise<CurveSeries[]> {
  const series: CurveSeries[] = [];
  const wanted = parseSuite(o.suite)
    .map((p) => `${p.task}/${p.embodiment}`)
    .sort()
    .join(',');
  for (const run of o.runs) {
    const name = basename(resolve(run));
    const cks = runCheckpoints(run).filter((c) => !o.steps || o.steps.includes(c.step));
    const points: CurvePoint[] = [];
    for (const ck of cks) {
      const dir = join(o.outDir, name, `step-${String(ck.step).padStart(7, '0')}`);
      const cached = join(dir, 'report.json');
      let report: EvalReport | undefined;
      if (existsSync(cached)) {
        const r = JSON.parse(readFileSync(cached, 'utf8')) as EvalReport;
        const sameSuite = Object.keys(r.suites).sort().join(',') === wanted;
        if (sameSuite && r.episodesPerSuite >= o.episodes && r.seedStart === (o.seedStart ?? 0)) report = r;
      }
      report ??= await runEval({
        policy: ck.dir,
        suite: o.suite,
        episodes: o.episodes,
        workers: o.workers,
        seedStart: o.seedStart,
        edgeCases: o.edgeCases,
        videos: 0,
        outDir: dir,
      });
      const s = report.overall;
      const p: CurvePoint = {
        step: ck.step,
        minutes: Math.round(ck.minutes * 10) / 10,
        episodes: s.episodes,
        successes: s.successes,
        success: s.success,
        ci95: s.ci95,
      };
      points.push(p);
      o.onPoint?.(name, p);
    }
    series.push({ name, run: resolve(run), points });
  }
  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(join(o.outDir, 'curve.json'), `${JSON.stringify({ suite: o.suite, series }, null, 2)}\n`);
  writeFileSync(
    join(o.outDir, 'curve.png'),
    learningCurvePng(series, { title: `${o.suite}: success vs training minutes`, reference: 0.7 }),
  );
  return series;
}

const COLORS: Rgb[] = [
  [40, 90, 190],
  [210, 90, 40],
  [40, 150, 70],
  [150, 60, 160],
  [20, 20, 20],
  [200, 160, 20],
  [30, 170, 190],
  [220, 60, 110],
];

/**
 * Success (0–1, with Wilson 95 % whiskers) against training minutes, one coloured line per run, a
 * dashed reference line (the target) and a legend.
 */
export function learningCurvePng(
  series: CurveSeries[],
  opts: { title: string; reference?: number; width?: number; height?: number },
): Uint8Array {
  const W = opts.width ?? 720;
  const H = opts.height ?? 420;
  const cv = new Canvas(W, H);
  const line = (x0: number, y0: number, x1: number, y1: number, c: Rgb, dash = 0) =>
    cv.line(x0, y0, x1, y1, c, dash);
  const left = 60;
  const right = W - 20;
  const top = 40;
  const bottom = H - 50;
  const ink: Rgb = [30, 30, 30];
  const grid: Rgb = [225, 225, 225];
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p.minutes)) * 1.05;
  const X = (m: number) => left + (m / xMax) * (right - left);
  const Y = (v: number) => bottom - v * (bottom - top);
  const text = (x: number, y: number, t: string, c: Rgb, scale = 1) => cv.text(x, y, t, c, scale);
  text(left, 12, opts.title, ink, 2);
  for (let k = 0; k <= 5; k++) {
    const v = k / 5;
    line(left, Y(v), right, Y(v), grid);
    const label = `${Math.round(v * 100)}%`;
    text(left - 8 - textWidth(label), Y(v) - GLYPH_H / 2, label, ink);
  }
  const xStep = niceStep(xMax / 6);
  for (let m = 0; m <= xMax; m += xStep) {
    line(X(m), top, X(m), bottom, grid);
    const label = String(Math.round(m * 10) / 10);
    text(X(m) - textWidth(label) / 2, bottom + 6, label, ink);
  }
  text((left + right) / 2 - textWidth('training minutes') / 2, bottom + 22, 'training minutes', ink);
  line(left, top, left, bottom, ink);
  line(left, bottom, right, bottom, ink);
  if (opts.reference !== undefined) line(left, Y(opts.reference), right, Y(opts.reference), [40, 160, 60], 6);
  series.forEach((s, si) => {
    const c = COLORS[si % COLORS.length];
    const pts = [...s.points].sort((a, b) => a.minutes - b.minutes);
    for (let i = 1; i < pts.length; i++)
      line(X(pts[i - 1].minutes), Y(pts[i - 1].success), X(pts[i].minutes), Y(pts[i].success), c);
    for (const p of pts) {
      const x = X(p.minutes);
      line(x, Y(p.ci95[0]), x, Y(p.ci95[1]), c);
      line(x - 4, Y(p.ci95[0]), x + 4, Y(p.ci95[0]), c);
      line(x - 4, Y(p.ci95[1]), x + 4, Y(p.ci95[1]), c);
      for (let dy = -3; dy <= 3; dy++) line(x - 3, Y(p.success) + dy, x + 3, Y(p.success) + dy, c);
    }
    const ly = top + 8 + si * 16;
    line(right - 150, ly + 3, right - 130, ly + 3, c);
    text(right - 124, ly, s.name, c);
  });
  return cv.png();
}

/** 1, 2 or 5 × 10^k, the smallest such step ≥ x. */
function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1e-9, x)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}
