import { type Logger, type Policy, ProgressBar, logger as rootLogger, ValidationError } from '@robofm/core';
import { ControlLoop, type EpisodeResult } from './control-loop.ts';
import { FaultProxy } from './fault-proxy.ts';
import type { FallbackOptions } from './fallback.ts';
import { RemotePolicy } from './remote-policy.ts';
import { SCHEDULER_KINDS, type SchedulerKind } from './schedulers.ts';
import type { World, WorldFactory, WorldOptions } from './world.ts';

/** Wraps any Policy in a policy server on loopback (the serve engineer passes @robofm/serve's). */
export type ServeHook = (policy: Policy) => Promise<{ url: string; close(): Promise<void> }>;

export interface BenchCommon {
  serve: ServeHook;
  /** Builds the robot + task + expert for one episode (default: `defaultWorld`: arm6 + reach). */
  world?: WorldFactory;
  episodes?: number;
  embodiment?: string;
  task?: string;
  /** First scene seed (episode i uses seed + i). */
  seed?: number;
  progress?: boolean;
  logger?: Logger;
}

export interface SchedulingCell {
  /** Fraction of episodes that succeeded. */
  success: number;
  /** Mean seconds (robot clock) to success; a failed episode counts as its whole length. */
  completion_s: number;
  /** completion_s / completion_s at 0 ms for the same scheduler. */
  vs_zero: number;
  /** Mean measured round trip of the chunks received, ms. */
  rtt_ms: number;
  /** Mean over episodes of the largest step between consecutive actions (fraction of vmax·dt). */
  max_step_frac: number;
}

export type SchedulingResult = Record<string, Record<string, SchedulingCell>>;

/**
 * Sync vs async vs rtc under injected latency: every episode runs in real time against a real
 * policy server (`serve`) behind the FaultProxy; cells are interleaved (episode → latency →
 * scheduler) so machine noise spreads evenly over them.
 */
export async function benchScheduling(
  opts: BenchCommon & { latenciesMs?: number[]; jitterMs?: number; schedulers?: SchedulerKind[] },
): Promise<SchedulingResult> {
  const latencies = opts.latenciesMs ?? [0, 100, 200];
  const schedulers = opts.schedulers ?? [...SCHEDULER_KINDS];
  const episodes = checkEpisodes(opts.episodes ?? 3);
  for (const [i, l] of latencies.entries())
    if (!(Number.isFinite(l) && l >= 0))
      throw new ValidationError(`latenciesMs[${i}]`, l, 'a non-negative number');
  if (!latencies.includes(0)) latencies.unshift(0);
  const log = (opts.logger ?? rootLogger).child({ bench: 'scheduling' });
  const bar = new ProgressBar({
    total: episodes * latencies.length * schedulers.length,
    label: 'bench scheduling',
    unit: 'ep',
    enabled: opts.progress,
  });
  const acc: Record<
    string,
    Record<number, { ok: number; t: number; rtt: number; jump: number; n: number }>
  > = {};
  for (const s of schedulers) {
    acc[s] = {};
    for (const l of latencies) acc[s][l] = { ok: 0, t: 0, rtt: 0, jump: 0, n: 0 };
  }
  for (let e = 0; e < episodes; e++) {
    for (const latencyMs of latencies) {
      for (const scheduler of schedulers) {
        const r = await remoteEpisode(opts, {
          seed: (opts.seed ?? 0) + e,
          scheduler,
          faults: { latencyMs, jitterMs: latencyMs > 0 ? (opts.jitterMs ?? 0) : 0 },
          deadlineS: Math.max(1, (3 * latencyMs) / 1000),
          compare: true,
          log,
        });
        const a = acc[scheduler][latencyMs];
        a.ok += r.success ? 1 : 0;
        a.t += r.completionS;
        a.rtt += r.meanRttMs;
        a.jump += r.maxActionStepFrac;
        a.n++;
        bar.tick(1, `${scheduler}@${latencyMs}ms ${r.success ? 'ok' : 'fail'} ${r.completionS.toFixed(2)}s`);
      }
    }
  }
  bar.finish();
  const out: SchedulingResult = {};
  for (const s of schedulers) {
    out[s] = {};
    const zero = acc[s][0].t / acc[s][0].n;
    for (const l of latencies) {
      const a = acc[s][l];
      const t = a.t / a.n;
      out[s][String(l)] = {
        success: round(a.ok / a.n, 3),
        completion_s: round(t, 3),
        vs_zero: round(t / zero, 3),
        rtt_ms: round(a.rtt / a.n, 1),
        max_step_frac: round(a.jump / a.n, 2),
      };
    }
  }
  return out;
}

/**
 * A network outage of `outageS` starting `atS` into each episode (the FaultProxy stalls open
 * connections and refuses new ones): task success rate and the largest joint speed measured,
 * as a fraction of its limit, over all episodes.
 */
export async function benchOutage(
  opts: BenchCommon & {
    outageS?: number;
    atS?: number;
    scheduler?: SchedulerKind;
    deadlineS?: number;
    fallback?: FallbackOptions;
  },
): Promise<{ success: number; max_vel_frac: number }> {
  const episodes = checkEpisodes(opts.episodes ?? 3);
  const outageS = opts.outageS ?? 3;
  const atS = opts.atS ?? 1;
  if (!(outageS > 0)) throw new ValidationError('outageS', outageS, 'a positive number of seconds');
  if (!(atS >= 0)) throw new ValidationError('atS', atS, 'a non-negative number of seconds');
  const log = (opts.logger ?? rootLogger).child({ bench: 'outage' });
  const bar = new ProgressBar({ total: episodes, label: 'bench outage', unit: 'ep', enabled: opts.progress });
  let ok = 0;
  let maxVel = 0;
  for (let e = 0; e < episodes; e++) {
    const r = await remoteEpisode(opts, {
      seed: (opts.seed ?? 0) + e,
      scheduler: opts.scheduler ?? 'rtc',
      faults: { outages: [{ atS, durationS: outageS }] },
      deadlineS: opts.deadlineS ?? 0.3,
      extraTimeS: outageS,
      fallback: opts.fallback,
      log,
    });
    ok += r.success ? 1 : 0;
    maxVel = Math.max(maxVel, r.maxVelFrac);
    const fell = r.switches.find((s) => s.to === 'fallback');
    const back = r.switches.find((s) => s.to === 'remote');
    log.info('outage episode', {
      success: r.success,
      completion_s: round(r.completionS, 3),
      fallback_at_s: fell ? round(fell.t, 3) : null,
      handback_at_s: back ? round(back.t, 3) : null,
      max_vel_frac: round(r.maxVelFrac, 3),
      limit_violations: r.limitViolations,
    });
    bar.tick(1, `${r.success ? 'ok' : 'fail'} vel ${r.maxVelFrac.toFixed(2)}`);
  }
  bar.finish();
  return { success: round(ok / episodes, 3), max_vel_frac: round(maxVel, 3) };
}

/** One real-time episode: world → served expert → FaultProxy → RemotePolicy → ControlLoop. */
async function remoteEpisode(
  opts: BenchCommon,
  ep: {
    seed: number;
    scheduler: SchedulerKind;
    faults: ConstructorParameters<typeof FaultProxy>[0]['faults'];
    deadlineS: number;
    extraTimeS?: number;
    fallback?: FallbackOptions;
    /** Scheduler comparison: refuse a one-action policy instead of falling back to sync. */
    compare?: boolean;
    log: Logger;
  },
): Promise<EpisodeResult> {
  const factory = opts.world ?? defaultWorld;
  const wo: WorldOptions = { embodiment: opts.embodiment, task: opts.task, seed: ep.seed };
  const world: World = await factory(wo);
  const quiet = ep.log.child({ seed: ep.seed, scheduler: ep.scheduler });
  let server: { url: string; close(): Promise<void> } | null = null;
  let proxy: FaultProxy | null = null;
  let policy: RemotePolicy | null = null;
  try {
    if (!world.expert) throw new ValidationError('world.expert', undefined, 'a scripted expert to serve');
    let scheduler = ep.scheduler;
    if (world.expert.metadata.actionHorizon < 2) {
      if (ep.compare)
        throw new ValidationError(
          'world.expert.actionHorizon',
          world.expert.metadata.actionHorizon,
          'a policy that answers with chunks (≥ 2 actions) to compare schedulers',
        );
      scheduler = 'sync'; // one action per request: async/rtc would drop every (stale) action
    }
    server = await opts.serve(world.expert);
    proxy = await new FaultProxy({ target: server.url, faults: ep.faults, logger: quiet }).start();
    policy = await RemotePolicy.connect({
      url: proxy.url,
      deadlineMs: ep.deadlineS * 1000,
      backoff: { initialMs: 50, maxMs: 500 },
      logger: quiet,
    });
    const loop = new ControlLoop({
      driver: world.driver,
      policy,
      scheduler,
      clock: 'realtime',
      deadlineS: ep.deadlineS,
      fallback: { home: world.home, ...ep.fallback },
      workspace: world.workspace,
      instruction: world.instruction,
      isDone: () => world.success(),
      maxSeconds: world.timeLimitS + (ep.extraTimeS ?? 0),
      logger: quiet,
      onStart: () => proxy?.resetClock(), // outages count from the episode's start
    });
    return await loop.run();
  } finally {
    policy?.dispose();
    await proxy?.close();
    await server?.close();
    world.dispose();
  }
}

/**
 * Worlds by name: embodiment `di` is the pure-TS double-integrator reach fixture (no MuJoCo);
 * task `reach` on arm6/arm4 is the runtime's MuJoCo reach world (chunking planner, `sim-reach.ts`);
 * any other (embodiment, task) is a task-suite world from @robofm/sim (`sim-world.ts`).
 * With neither given: arm6 + reach (what the benches use).
 */
export const defaultWorld: WorldFactory = async (o) => {
  if (o.embodiment === 'di') {
    const { ReachWorld } = await import('./testing/reach-world.ts');
    return new ReachWorld({ seed: o.seed, timeLimitS: o.timeLimitS });
  }
  const embodiment = o.embodiment ?? 'arm6';
  const task = o.task ?? (o.embodiment === undefined ? 'reach' : undefined);
  if (task === 'reach') {
    const { simReachWorld } = await import('./sim-reach.ts');
    return simReachWorld({ ...o, embodiment });
  }
  const { simWorld } = await import('./sim-world.ts');
  return (await simWorld({ ...o, embodiment, task }))!;
};

function checkEpisodes(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new ValidationError('episodes', n, 'a positive integer');
  return n;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
