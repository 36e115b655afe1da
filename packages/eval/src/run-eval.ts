import { join } from 'node:path';
import { ProgressBar, ValidationError } from '@robofm/core';
import { type EvalReport, type EpisodeResult, buildReport } from './report.ts';
import { writeReport } from './html-report.ts';
import { SUITE_TASKS, sceneSeed, suitePairs } from './suite.ts';
import {
  type PendingVideo,
  type RunnerOutput,
  type WorkerInit,
  type WorkerJob,
  encodeVideo,
  makeRunner,
} from './eval-worker.ts';
import { runPool } from './worker-pool.ts';

export interface EvalOptions {
  /** `expert`, `demo`, a checkpoint directory or `ws://host:port`. */
  policy: string;
  /** `all`, a task (`pick_place`) or `task/embodiment` (`pick_place/arm6`); comma-separated lists work. */
  suite?: string;
  /** Episodes per task × embodiment. */
  episodes: number;
  /** Index of the first held-out scene (episode i uses held-out scene `seedStart + i`). */
  seedStart?: number;
  /** Worker threads (0 = run in this thread). */
  workers?: number;
  /** Write report.json / report.html / plots / failure videos here. */
  outDir?: string;
  /** At most this many failure videos (default 6; needs outDir). */
  videos?: number;
  /** Edge-case injection: 'default' rates, 'off', or {name: rate}. */
  edgeCases?: unknown;
  /** Instruction paraphrases (default the held-out set). */
  paraphrases?: 'train' | 'heldout';
  maxSteps?: number;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
  /** Called after each episode. */
  onEpisode?: (r: EpisodeResult) => void;
}

/** Expands a `--suite` value into task/embodiment pairs, naming what was wrong on bad input. */
export function parseSuite(suite: string): Array<{ task: string; embodiment: string }> {
  const all = suitePairs();
  if (suite === 'all') return all;
  const out: Array<{ task: string; embodiment: string }> = [];
  for (const part of suite
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [task, emb] = part.split('/');
    if (!SUITE_TASKS[task])
      throw new ValidationError(
        '--suite',
        suite,
        `all, a task (${Object.keys(SUITE_TASKS).join(', ')}) or task/embodiment`,
      );
    const pairs = all.filter((p) => p.task === task && (emb === undefined || p.embodiment === emb));
    if (pairs.length === 0)
      throw new ValidationError(
        '--suite',
        suite,
        `an embodiment of ${task}: ${SUITE_TASKS[task].embodiments.join(', ')}`,
      );
    out.push(...pairs);
  }
  if (out.length === 0) throw new ValidationError('--suite', suite, 'all, a task or task/embodiment');
  return out;
}

/**
 * Runs `episodes` episodes of a policy on every selected task × embodiment, on held-out scenes,
 * in parallel worker threads, and returns (and optionally writes) the report. The trainer calls
 * this for periodic evaluation.
 */
export async function runEval(o: EvalOptions): Promise<EvalReport> {
  if (!Number.isInteger(o.episodes) || o.episodes <= 0)
    throw new ValidationError('--episodes', o.episodes, 'a positive integer');
  const seedStart = o.seedStart ?? 0;
  if (!Number.isInteger(seedStart) || seedStart < 0)
    throw new ValidationError('--seed-start', seedStart, 'a non-negative integer');
  const workers = o.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw new ValidationError('--workers', workers, 'an integer in [0, 64]');
  const pairs = parseSuite(o.suite ?? 'all');
  const jobs: WorkerJob[] = [];
  for (let i = 0; i < o.episodes; i++)
    for (const p of pairs) jobs.push({ ...p, sceneSeed: sceneSeed('heldout', seedStart + i), video: false });
  const init: WorkerInit & { __robofmEval: true } = {
    __robofmEval: true,
    policy: o.policy,
    edgeCases: o.edgeCases ?? 'default',
    paraphrases: o.paraphrases ?? 'heldout',
    maxSteps: o.maxSteps,
    videoDir: o.outDir ? join(o.outDir, 'videos') : null,
  };
  let videoBudget = o.outDir ? (o.videos ?? 6) : 0;
  const bar = new ProgressBar({
    total: jobs.length,
    label: `eval ${o.policy}`,
    unit: 'ep',
    enabled: o.progress ?? undefined,
  });
  let ok = 0;
  const t0 = performance.now();
  const onResult = (r: EpisodeResult) => {
    if (r.success) ok++;
    if (r.video) videoBudget--;
    bar.tick(1, `success ${ok}/${bar.count + 1}`);
    o.onEpisode?.(r);
  };
  let results: EpisodeResult[];
  if (workers === 0) {
    const runner = await makeRunner(init);
    results = [];
    try {
      for (const j of jobs) {
        const { result: r, video } = await runner.run({ ...j, video: videoBudget > 0 });
        if (video) await encodeVideo(video);
        results.push(r);
        onResult(r);
      }
    } finally {
      runner.dispose();
    }
  } else {
    // Worker threads never spawn ffmpeg themselves: two threads fork()ing at once while libtorch
    // (OpenBLAS) is loaded deadlock in OpenBLAS's atfork handler, which hung eval after the first
    // failure videos. They send the raw frames; this thread encodes them one by one once every
    // worker has finished (no fork while a worker may be inside OpenBLAS).
    const pending: PendingVideo[] = [];
    const outs = await runPool<WorkerJob, RunnerOutput>({
      url: new URL('./eval-worker.ts', import.meta.url),
      init,
      jobs,
      workers,
      beforeSend: (j) => ({ ...j, video: videoBudget > 0 }),
      onResult: (out) => {
        if (out.video) pending.push(out.video);
        onResult(out.result);
      },
    });
    results = outs.map((o) => o.result);
    for (const v of pending) await encodeVideo(v);
  }
  bar.finish();
  const report = buildReport(results, {
    policy: o.policy,
    seedStart,
    episodesPerSuite: o.episodes,
    wallSeconds: (performance.now() - t0) / 1000,
    suiteOrder: pairs.map((p) => `${p.task}/${p.embodiment}`),
  });
  if (o.outDir) writeReport(report, o.outDir);
  return report;
}
