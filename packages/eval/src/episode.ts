import { type Policy, chunkRow } from '@robofm/core';
import type { EpisodeResult } from './report.ts';
import { type Quality, ScriptedExpert } from './suite.ts';
import { StageTracker } from './stages.ts';
import type { SuiteEnv } from './suite-env.ts';
import { tileFrames } from './video.ts';

export interface EpisodeJob {
  task: string;
  embodiment: string;
  sceneSeed: number;
  /** Keep camera frames (for a failure video). */
  record?: boolean;
}

export interface EpisodeRun {
  result: EpisodeResult;
  /** Tiled camera frames, one per control step (only when recording). */
  frames?: { data: Uint8Array[]; width: number; height: number; fps: number };
}

/**
 * Runs one episode of `policy` ('expert' = the privileged scripted expert) on a suite env from
 * `job.sceneSeed`, until the task succeeds, fails or times out.
 */
export async function runEpisode(
  se: SuiteEnv,
  job: EpisodeJob,
  policy: Policy | 'expert',
  quality: Quality = 'expert',
): Promise<EpisodeRun> {
  const t0 = performance.now();
  const { env } = se;
  let { obs } = env.reset({ seed: job.sceneSeed });
  const state = se.state();
  const edgeCases = [...state.edgeCases];
  const instruction = env.currentInstruction;
  const tracker = StageTracker.start(env.world, state);
  const expert = policy === 'expert' ? new ScriptedExpert(env.world, state, quality) : undefined;
  if (policy !== 'expert') await policy.reset?.(job.sceneSeed);
  const dt = 1 / env.spec.controlHz;
  const cams = env.spec.cameras;
  const frames: Uint8Array[] = [];
  const record = () => {
    if (!job.record || cams.length === 0) return;
    frames.push(
      tileFrames(
        cams.map((c) => obs.images[c.name]),
        cams.map((c) => c.width),
        cams[0].height,
      ).frame,
    );
  };
  record();
  let steps = 0;
  let success = false;
  let failure: string | null = null;
  let timeToSuccess: number | null = null;
  const queue: Float32Array[] = [];
  for (;;) {
    let action: Float32Array;
    if (expert) action = expert.act().action;
    else {
      if (queue.length === 0) {
        const chunk = await (policy as Policy).infer(obs);
        for (let t = 0; t < chunk.horizon; t++) queue.push(Float32Array.from(chunkRow(chunk, t)));
      }
      action = queue.shift()!;
    }
    const r = env.step(action);
    obs = r.obs;
    steps++;
    tracker?.update();
    record();
    if (r.info.success === true) {
      success = true;
      timeToSuccess = steps * dt;
      break;
    }
    if (r.terminated) {
      failure = typeof r.info.failure === 'string' ? r.info.failure : 'terminated';
      break;
    }
    if (r.truncated) {
      failure = `timeout_${typeof r.info.unmet === 'string' ? r.info.unmet : 'unknown'}`;
      break;
    }
  }
  const result: EpisodeResult = {
    task: job.task,
    embodiment: job.embodiment,
    sceneSeed: job.sceneSeed,
    instruction,
    success,
    steps,
    timeToSuccess,
    failureReason: success ? null : failure,
    edgeCases,
    wallMs: Math.round(performance.now() - t0),
    ...(tracker ? { stages: tracker.result() } : {}),
  };
  return {
    result,
    ...(job.record && frames.length && cams.length
      ? {
          frames: {
            data: frames,
            width: cams.reduce((a, c) => a + c.width, 0),
            height: cams[0].height,
            fps: env.spec.controlHz,
          },
        }
      : {}),
  };
}
