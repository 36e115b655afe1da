/**
 * Worker thread of the evaluation harness: resolves the policy spec itself (so a learned model
 * loads once per worker), keeps one env per task/embodiment, runs the episodes it is sent and
 * writes failure videos.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Policy } from '@robofm/core';
import { type EpisodeJob, runEpisode } from './episode.ts';
import type { EpisodeResult } from './report.ts';
import { resolvePolicy } from './resolve-policy.ts';
import { type SuiteEnv, createSuiteEnv } from './suite-env.ts';
import { writeMp4 } from './video.ts';

export interface WorkerInit {
  policy: string;
  edgeCases: unknown;
  paraphrases: 'train' | 'heldout';
  maxSteps?: number;
  /** Where failure videos go (null: none). */
  videoDir: string | null;
}

/** A failure video still to encode: raw tiled RGB frames and where the mp4 goes. */
export interface PendingVideo {
  path: string;
  data: Uint8Array[];
  width: number;
  height: number;
  fps: number;
}

export interface RunnerOutput {
  result: EpisodeResult;
  video?: PendingVideo;
}

/**
 * Encodes a pending failure video (spawns ffmpeg). Call it from one thread at a time, never from a
 * worker thread that uses libtorch while another does: fork() from two threads at once deadlocks
 * in OpenBLAS's pthread_atfork handler (blas_thread_shutdown_), which hung `eval --workers 2`.
 */
export async function encodeVideo(v: PendingVideo): Promise<void> {
  mkdirSync(dirname(v.path), { recursive: true });
  await writeMp4(v.path, v.data, v.width, v.height, v.fps);
}

export interface WorkerJob extends EpisodeJob {
  /** May this failure be filmed (the main thread keeps a budget). */
  video: boolean;
}

/** Runs one job inside any thread (the worker below, or inline when workers = 0). */
export class EpisodeRunner {
  private readonly envs = new Map<string, SuiteEnv>();
  private readonly filmEnvs = new Map<string, SuiteEnv>();

  constructor(
    private readonly init: WorkerInit,
    private readonly policy: Policy | 'expert',
  ) {}

  private async env(job: EpisodeJob, film: boolean): Promise<SuiteEnv> {
    const key = `${job.task}/${job.embodiment}`;
    const cache = film ? this.filmEnvs : this.envs;
    let se = cache.get(key);
    if (!se) {
      se = await createSuiteEnv({
        task: job.task,
        embodiment: job.embodiment,
        edgeCases: this.init.edgeCases,
        paraphrases: this.init.paraphrases,
        maxSteps: this.init.maxSteps,
        // The privileged expert needs no pictures, except to film a failure.
        ...(this.policy === 'expert' && !film ? { cameras: [] } : {}),
      });
      cache.set(key, se);
    }
    return se;
  }

  /**
   * Runs one episode. A failure video comes back as raw frames (`video`), not yet encoded: the
   * caller encodes it with `encodeVideo` in the main thread (see runPool's note in run-eval.ts on
   * why worker threads must not spawn processes).
   */
  async run(job: WorkerJob): Promise<RunnerOutput> {
    const expert = this.policy === 'expert';
    const record = job.video && !expert && this.init.videoDir !== null;
    const first = await runEpisode(await this.env(job, false), { ...job, record }, this.policy);
    const res = first.result;
    if (!res.success && job.video && this.init.videoDir) {
      let frames = first.frames;
      // The expert runs without cameras; replay the same (deterministic) episode with them.
      if (expert)
        frames = (await runEpisode(await this.env(job, true), { ...job, record: true }, 'expert')).frames;
      if (frames) {
        const name = `${job.task}_${job.embodiment}_${job.sceneSeed}.mp4`;
        res.video = `videos/${name}`;
        return { result: res, video: { path: join(this.init.videoDir, name), ...frames } };
      }
    }
    return { result: res };
  }

  dispose(): void {
    for (const se of [...this.envs.values(), ...this.filmEnvs.values()]) se.env.dispose();
  }
}

export async function makeRunner(init: WorkerInit): Promise<EpisodeRunner> {
  const policy = init.policy === 'expert' ? 'expert' : await resolvePolicy(init.policy);
  return new EpisodeRunner(init, policy);
}

if (parentPort && (workerData as { __robofmEval?: boolean })?.__robofmEval) {
  const port = parentPort;
  const init = workerData as WorkerInit;
  makeRunner(init).then(
    (runner) => {
      port.on('message', async (m: { type: string; id: number; job: WorkerJob }) => {
        if (m.type !== 'job') return;
        try {
          const out = await runner.run(m.job);
          // Frames travel to the main thread, which encodes them (workers never spawn processes).
          const transfer = out.video ? [...new Set(out.video.data.map((f) => f.buffer as ArrayBuffer))] : [];
          port.postMessage({ type: 'result', id: m.id, result: out }, transfer);
        } catch (e) {
          port.postMessage({ type: 'error', id: m.id, message: (e as Error).stack ?? String(e) });
        }
      });
      port.postMessage({ type: 'ready' });
    },
    (e) => port.postMessage({ type: 'error', id: -1, message: (e as Error).message }),
  );
}
