import { logger, type Policy, ValidationError } from '@robofm/core';
import type { Command } from '../command.ts';

/** `robofm run`: one episode on the robot runtime (sim driver), with injected network faults. */
export const runCommand: Command = {
  name: 'run',
  summary:
    'run one episode on the robot runtime: PD + safety + chunk scheduling + fallback, with fault injection',
  description: [
    'Drives a simulated robot (MuJoCo SimDriver; `--embodiment di` is a pure-TS test body) with the',
    "runtime's control loop: core's PD controller at physics rate behind the safety layer, the chunk",
    'scheduler (sync | async | rtc), and the fallback that takes over when the policy misses its',
    'deadline or is unreachable (hold | retreat | a local checkpoint | expert) and hands back when it',
    'recovers. --policy: ws://host:port (a policy server), a checkpoint dir / demo (local model), or',
    "expert (the task's scripted expert). With --latency/--jitter/--outage/--drop on the realtime clock,",
    'a local policy is served on loopback and every request crosses the fault proxy; on the virtual',
    'clock the faults are simulated in robot time. --buffer records the episode durably (and',
    '--upload DIR|http://… uploads every pending episode afterwards).',
    'With --json the last stdout line is {"success":…,"completion_s":…,"switches":[…],"max_vel_frac":…,…}.',
  ].join('\n'),
  options: {
    embodiment: {
      type: 'string',
      help: 'robot body (arm6, arm4, mobile, bimanual, humanoid, hand; di = test body)',
    },
    task: {
      type: 'string',
      help: 'task-suite task, or reach (runtime’s arm6/arm4 reach world with a chunking planner)',
    },
    policy: { type: 'string', help: 'ws://host:port | checkpoint dir | demo | expert', default: 'expert' },
    scheduler: {
      type: 'string',
      help: 'chunk scheduler',
      default: 'async',
      choices: ['sync', 'async', 'rtc'],
    },
    clock: {
      type: 'string',
      help: 'realtime (paced to wall time) or virtual',
      default: 'realtime',
      choices: ['realtime', 'virtual'],
    },
    latency: { type: 'string', help: 'added round-trip latency, e.g. 200ms' },
    jitter: { type: 'string', help: '± jitter per message, e.g. 50ms' },
    outage: { type: 'string', help: 'outage(s) duration@start, e.g. 3s@5s (comma-separated)' },
    drop: { type: 'number', help: 'probability that a message is lost' },
    deadline: {
      type: 'string',
      help: 'per-request deadline before the fallback takes over',
      default: '500ms',
    },
    fallback: { type: 'string', help: 'hold | retreat | expert | checkpoint dir', default: 'hold' },
    seed: { type: 'number', help: 'scene seed', default: 0 },
    seconds: { type: 'number', help: 'episode time limit (default: the task’s)' },
    buffer: { type: 'string', help: 'episode buffer directory (durable recording)' },
    'record-images': { type: 'boolean', help: 'also record the camera images of every observation sent' },
    upload: {
      type: 'string',
      help: 'after the episode, upload pending episodes to a directory or http(s) URL',
    },
    json: { type: 'boolean', help: 'print the JSON summary as the last stdout line' },
  },
  examples: [
    'robofm run --embodiment arm6 --task reach --policy expert --scheduler rtc --latency 200ms',
    'robofm run --embodiment arm6 --task pick_place --policy expert --scheduler sync --clock virtual',
    'robofm run --embodiment di --policy expert --latency 200ms --jitter 50ms --outage 3s@2s --scheduler rtc',
    'robofm run --embodiment bimanual --policy ws://localhost:8000 --scheduler async --buffer runs/episodes',
  ],
  async run({ options }) {
    const rt = await import('@robofm/runtime');
    const log = logger.child({ cmd: 'run' });
    const embodiment = options.embodiment as string | undefined;
    if (!embodiment)
      throw new ValidationError(
        '--embodiment',
        undefined,
        'a body name (arm6, arm4, mobile, bimanual, humanoid, hand, di)',
      );
    const seed = Number(options.seed);
    if (!(Number.isInteger(seed) && seed >= 0))
      throw new ValidationError('--seed', seed, 'a non-negative integer');
    const clock = options.clock as 'realtime' | 'virtual';
    const faults = {
      latencyMs:
        options.latency === undefined ? undefined : rt.parseDurationMs('--latency', String(options.latency)),
      jitterMs:
        options.jitter === undefined ? undefined : rt.parseDurationMs('--jitter', String(options.jitter)),
      outages: options.outage === undefined ? undefined : rt.parseOutages('--outage', String(options.outage)),
      dropProb: options.drop as number | undefined,
    };
    rt.validateFaults(faults);
    const anyFault = Object.values(faults).some((v) => v !== undefined);
    const deadlineS = rt.parseDurationMs('--deadline', String(options.deadline)) / 1000;
    const seconds = options.seconds as number | undefined;
    if (seconds !== undefined && !(seconds > 0))
      throw new ValidationError('--seconds', seconds, 'a positive number');

    const world = await rt.defaultWorld({
      embodiment,
      task: options.task as string | undefined,
      seed,
      timeLimitS: seconds,
    });
    const cleanup: Array<() => unknown> = [() => world.dispose()];
    try {
      const spec = String(options.policy);
      const expert = () => {
        if (!world.expert)
          throw new ValidationError(
            '--policy',
            'expert',
            'a world with a scripted expert (none for this body/task yet)',
          );
        return world.expert;
      };
      const isRemote = /^wss?:\/\//.test(spec);
      let local: Policy | undefined;
      if (!isRemote) local = spec === 'expert' ? expert() : await rt.loadLocalPolicy(spec, { seed });
      let policy: Policy;
      let url = isRemote ? spec : undefined;
      let proxy: InstanceType<typeof rt.FaultProxy> | undefined;
      if (clock === 'realtime' && anyFault) {
        if (!url) {
          const { servePolicy } = await import('@robofm/serve');
          const served = await servePolicy(local!);
          cleanup.push(() => served.close());
          url = served.url;
        }
        const p = await new rt.FaultProxy({ target: url, faults, logger: log }).start();
        cleanup.push(() => p.close());
        proxy = p;
        url = proxy.url;
      }
      if (url) {
        const remote = await rt.RemotePolicy.connect({
          url,
          deadlineMs: deadlineS * 1000,
          backoff: { initialMs: 50, maxMs: 500 },
          logger: log,
        });
        cleanup.push(() => remote.dispose());
        policy = remote;
      } else policy = local!;

      const fb = String(options.fallback);
      const fallback =
        fb === 'hold' || fb === 'retreat'
          ? { mode: fb as 'hold' | 'retreat' }
          : { policy: fb === 'expert' ? expert() : await rt.loadLocalPolicy(fb, { seed }) };
      const buffer = options.buffer ? await rt.EpisodeBuffer.open(String(options.buffer)) : undefined;
      const sigint = () => loopRef?.estop('SIGINT');
      let loopRef: { estop(reason: string): void } | undefined;
      process.once('SIGINT', sigint);
      cleanup.push(() => process.off('SIGINT', sigint));
      const { result: r, episodeId } = await rt.runEpisode({
        world,
        policy,
        scheduler: options.scheduler as 'sync' | 'async' | 'rtc',
        clock,
        deadlineS,
        faults: clock === 'virtual' && anyFault ? faults : undefined,
        fallback,
        maxSeconds: seconds,
        buffer,
        recordImages: Boolean(options['record-images']),
        meta: { task: options.task ?? null, seed, faults },
        logger: log,
        onStart: () => proxy?.resetClock(), // outages count from the episode's start
        onLoop: (loop) => {
          loopRef = loop;
        },
      });
      let uploaded: string[] | undefined;
      if (buffer && options.upload) {
        const dest = String(options.upload);
        const up = /^https?:\/\//.test(dest) ? new rt.HttpUploader(dest) : new rt.DirectoryUploader(dest);
        uploaded = (await buffer.uploadPending(up)).uploaded;
      }
      const summary = {
        success: r.success,
        completion_s: round(r.completionS),
        scheduler: options.scheduler,
        switches: r.switches.map((s) => ({ t: round(s.t), to: s.to, reason: s.reason })),
        fallback_s: round(r.fallbackSteps / world.driver.spec.controlHz),
        max_vel_frac: round(r.maxVelFrac),
        max_tau_frac: round(r.maxTauFrac),
        limit_violations: r.limitViolations,
        watchdog_trips: r.watchdogTrips,
        requests: r.requests,
        failed_requests: r.failures,
        mean_rtt_ms: round(r.meanRttMs),
        estopped: r.estopped,
        episode_id: episodeId ?? null,
        ...(uploaded ? { uploaded } : {}),
      };
      if (!options.json) {
        process.stdout.write(
          [
            `${r.success ? 'success' : 'failure'} in ${summary.completion_s} s (${summary.scheduler}, ${r.requests} requests, rtt ${summary.mean_rtt_ms} ms)`,
            `fallback ${summary.fallback_s} s, ${r.switches.length} switches${r.switches.map((s) => `\n  t=${round(s.t)} s → ${s.to}: ${s.reason}`).join('')}`,
            `max joint velocity ${summary.max_vel_frac} of limit, max torque ${summary.max_tau_frac}, limit violations ${r.limitViolations}`,
            episodeId ? `recorded episode ${episodeId} in ${options.buffer}` : '',
            '',
          ]
            .filter((l, i, a) => l !== '' || i === a.length - 1)
            .join('\n'),
        );
      }
      if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      return 0;
    } finally {
      for (const f of cleanup.reverse()) await f();
    }
  },
};

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
