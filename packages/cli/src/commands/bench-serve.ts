import { Logger, ValidationError, logger } from '@robofm/core';
import type { Command } from '../command.ts';

function parseList(flag: string, v: unknown): number[] {
  const xs = String(v)
    .split(',')
    .map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1))
    throw new ValidationError(flag, v, 'comma-separated positive integers, e.g. 1,4,16');
  return xs;
}

export const benchServeCommand: Command = {
  name: 'bench serve',
  summary: 'policy server latency (1/4/16 robots, batching on/off), scheduling under latency, outage safety',
  description:
    'Latency: simulated robots (a worker thread) each send an openpi ALOHA request (4 cameras 224x224 CHW) every\n' +
    '--interval-ms (default: half a chunk, as an async robot replans) over a WebSocket and time the round trip; batching on and off are measured side by side in\n' +
    'alternating order on one server. Serves the demo checkpoint when shipped (else the scripted hold-sine policy).\n' +
    'Scheduling and outage come from @robofm/runtime (benchScheduling / benchOutage) against the same server.\n' +
    'With --json the last line is {"latency_ms":{"1":{"p50":…,"p99":…,"batching_off":{…}},"4":…,"16":…},\n' +
    '"scheduling":{…},"outage":{"success":…,"max_vel_frac":…}}.',
  options: {
    checkpoint: {
      type: 'string',
      help: 'checkpoint to serve: dir, "demo" or "scripted" (default: demo, else scripted)',
    },
    robots: { type: 'string', help: 'concurrent robot counts', default: '1,4,16' },
    'per-robot': { type: 'number', help: 'requests per robot per round', default: 25 },
    rounds: { type: 'number', help: 'rounds (batching on/off alternate inside each)', default: 4 },
    'interval-ms': {
      type: 'number',
      help: 'each robot requests a chunk this often (0 = half a chunk: horizon / control rate / 2)',
      default: 0,
    },
    'max-batch': { type: 'number', help: 'max batch with batching on', default: 16 },
    'max-wait-ms': {
      type: 'number',
      help: 'max wait with batching on (0: batch whatever queued while busy)',
      default: 0,
    },
    episodes: { type: 'number', help: 'sim episodes per scheduling/outage cell', default: 3 },
    'latency-only': { type: 'boolean', help: 'skip the scheduling and outage parts (they print null)' },
    json: { type: 'boolean', help: 'print the JSON summary as the last line' },
  },
  async run({ options }) {
    const { benchLatency, loadDefaultPolicy, servePolicy } = await import('@robofm/serve');
    const log = logger.child({ cmd: 'bench serve' });
    const robots = parseList('--robots', options.robots);
    const loaded = await loadDefaultPolicy(options.checkpoint as string | undefined, { logger: log });
    log.info('serving for the latency bench', { source: loaded.source });
    const lat = await benchLatency({
      policy: loaded.policy,
      robots,
      perRobot: Number(options['per-robot']),
      rounds: Number(options.rounds),
      intervalMs: Number(options['interval-ms']),
      batch: { maxBatch: Number(options['max-batch']), maxWaitMs: Number(options['max-wait-ms']) },
      progress: true,
      logger: log,
    });
    await loaded.policy.dispose?.();
    const latency_ms: Record<string, unknown> = {};
    for (const n of robots) {
      const on = lat.on[n];
      const off = lat.off[n];
      latency_ms[n] = { p50: on.p50, p99: on.p99, batching_off: { p50: off.p50, p99: off.p99 } };
    }
    let scheduling: unknown = null;
    let outage: unknown = null;
    if (!options['latency-only']) {
      const quiet = new Logger({ cmd: 'bench serve' }, 'warn');
      const serve = (p: import('@robofm/core').Policy) => servePolicy(p, { logger: quiet });
      let runtime: typeof import('@robofm/runtime') | null = null;
      try {
        runtime = await import('@robofm/runtime');
      } catch (e) {
        log.warn('@robofm/runtime not importable: scheduling/outage are null', { err: e });
      }
      const episodes = Number(options.episodes);
      if (runtime?.benchScheduling) {
        try {
          scheduling = await runtime.benchScheduling({ serve, episodes, progress: true, logger: log });
        } catch (e) {
          log.error('benchScheduling failed: scheduling is null', { err: e });
        }
      }
      if (runtime?.benchOutage) {
        try {
          outage = await runtime.benchOutage({ serve, episodes, progress: true, logger: log });
        } catch (e) {
          log.error('benchOutage failed: outage is null', { err: e });
        }
      }
    }
    if (!options.json) {
      const lines = [
        `model ${lat.model} (${loaded.source}); ${lat.request} requests every ${lat.intervalMs} ms per robot; round trip ms`,
      ];
      lines.push(
        'robots   round trip on p50/p99   off p50/p99        | in model path (queue+infer) on p50/p99   off p50/p99',
      );
      for (const n of robots) {
        const f = (s: { p50: number; p99: number }) => `${s.p50} / ${s.p99}`;
        lines.push(
          `${String(n).padEnd(8)} ${f(lat.on[n]).padEnd(23)} ${f(lat.off[n]).padEnd(18)} | ${f(lat.serverOn[n]).padEnd(40)} ${f(lat.serverOff[n])}`,
        );
      }
      if (scheduling) lines.push(`scheduling ${JSON.stringify(scheduling)}`);
      if (outage) lines.push(`outage ${JSON.stringify(outage)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    process.stdout.write(`${JSON.stringify({ latency_ms, scheduling, outage })}\n`);
    return 0;
  },
};
