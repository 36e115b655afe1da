import type { Logger, Policy } from '@robofm/core';
import { ControlLoop, type ControlLoopOptions, type EpisodeResult } from './control-loop.ts';
import type { EpisodeBuffer } from './episode-buffer.ts';
import type { World } from './world.ts';

export interface RunEpisodeOptions
  extends Omit<ControlLoopOptions, 'driver' | 'policy' | 'isDone' | 'instruction' | 'recorder'> {
  world: World;
  policy: Policy;
  /** Record every control step durably (the episode survives crashes; upload later). */
  buffer?: EpisodeBuffer;
  /** Facts stored in the episode's meta record. */
  meta?: Record<string, unknown>;
  logger?: Logger;
  /** Called with the loop before it starts (e.g. to wire SIGINT to `loop.estop`). */
  onLoop?: (loop: ControlLoop) => void;
}

/** One episode of `world` driven by `policy` through the ControlLoop, recorded to `buffer`. */
export async function runEpisode(
  o: RunEpisodeOptions,
): Promise<{ result: EpisodeResult; episodeId?: string }> {
  const { world, policy, buffer, meta, onLoop, ...loopOpts } = o;
  const writer = buffer
    ? await buffer.begin({
        embodiment: world.driver.spec.name,
        instruction: world.instruction,
        policy: policy.metadata.id,
        scheduler: loopOpts.scheduler ?? 'async',
        ...meta,
      })
    : undefined;
  const loop = new ControlLoop({
    ...loopOpts,
    driver: world.driver,
    policy,
    instruction: world.instruction,
    isDone: () => world.success(),
    maxSeconds: loopOpts.maxSeconds ?? world.timeLimitS,
    workspace: loopOpts.workspace ?? world.workspace,
    fallback: { home: world.home, ...loopOpts.fallback },
    recorder: writer,
  });
  onLoop?.(loop);
  let result: EpisodeResult | undefined;
  try {
    result = await loop.run();
    return { result, episodeId: writer?.id };
  } finally {
    await writer?.end(
      result
        ? {
            success: result.success,
            completion_s: result.completionS,
            switches: result.switches.map((s) => ({ t: s.t, to: s.to, reason: s.reason })),
            max_vel_frac: result.maxVelFrac,
            estopped: result.estopped,
          }
        : { success: false, aborted: true },
    );
  }
}
