/**
 * Worker thread of the evaluation harness: resolves the policy spec itself (so a learned model
 * loads once per worker), keeps one env per task/embodiment, runs the episodes it is sent and
 * writes failure videos.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Policy } from '@robofm/core';
import { type EpisodeJob, runEpisode } from './episode.ts';
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

  async run(job: WorkerJob) {
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
        mkdirSync(this.init.videoDir, { recursive: true });
        const name = `${job.task}_${job.embodiment}_${job.sceneSeed}.mp4`;
        await writeMp4(join(this.init.videoDir, name), frames.data, frames.width, frames.height, frames.fps);
        res.video = `videos/${name}`;
      }
    }
    return res;
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
          port.postMessage({ type: 'result', id: m.id, result: await runner.run(m.job) });
        } catch (e) {
          port.postMessage({ type: 'error', id: m.id, message: (e as Error).stack ?? String(e) });
        }
      });
      port.postMessage({ type: 'ready' });
    },
    (e) => port.postMessage({ type: 'error', id: -1, message: (e as Error).message }),
  );
}
