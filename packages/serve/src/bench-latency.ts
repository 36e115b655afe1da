import type { Worker } from 'node:worker_threads';
import {
  Logger,
  type Policy,
  ProgressBar,
  RobofmError,
  logger as rootLogger,
  startWorker,
} from '@robofm/core';
import { type BatchOptions, DEFAULT_BATCH } from './batcher.ts';
import { PolicyServer } from './server.ts';

export interface LatencyStats {
  p50: number;
  p99: number;
  n: number;
}

export interface BenchLatencyOptions {
  policy: Policy;
  /** Concurrent robots per cell (default 1, 4, 16). */
  robots?: number[];
  /** Requests per robot per round (default 25). */
  perRobot?: number;
  /** Rounds; batching on/off alternate inside each round (default 4). */
  rounds?: number;
  /**
   * Each robot asks for a chunk every `intervalMs`. Default: half a chunk's duration
   * (actionHorizon / controlHz / 2), i.e. an async robot that replans when half its chunk is used.
   */
  intervalMs?: number;
  batch?: BatchOptions;
  progress?: boolean;
  logger?: Logger;
}

export interface BenchLatencyResult {
  /** Round trip as a robot sees it (encode, loopback, decode, validate, batch, infer, reply), ms. */
  on: Record<string, LatencyStats>;
  off: Record<string, LatencyStats>;
  /** Server-side time in the model path (queue + batch + infer, `server_timing.infer_ms`), ms. */
  serverOn: Record<string, LatencyStats>;
  serverOff: Record<string, LatencyStats>;
  request: string;
  model: string;
  intervalMs: number;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function stats(xs: number[]): LatencyStats {
  const s = [...xs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 100) / 100;
  return { p50: r(percentile(s, 0.5)), p99: r(percentile(s, 0.99)), n: s.length };
}

function call(worker: Worker, msg: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: Record<string, unknown>) => {
      worker.off('error', onErr);
      if (m.error) reject(new RobofmError('bench_failed', String(m.error)));
      else resolve(m);
    };
    const onErr = (e: Error) => {
      worker.off('message', onMsg);
      reject(e);
    };
    worker.once('message', onMsg);
    worker.once('error', onErr);
    worker.postMessage(msg);
  });
}

/**
 * Server latency with N concurrent simulated robots, dynamic batching on and off, measured side by
 * side: each round runs every (N, batching) cell once, in alternating order, on one server whose
 * batch options are switched between cells. Robots run in a worker thread.
 */
export async function benchLatency(opts: BenchLatencyOptions): Promise<BenchLatencyResult> {
  const robots = opts.robots ?? [1, 4, 16];
  const perRobot = opts.perRobot ?? 25;
  const rounds = opts.rounds ?? 4;
  const batchOn = opts.batch ?? DEFAULT_BATCH;
  const batchOff = { maxBatch: 1, maxWaitMs: 0 };
  const log = (opts.logger ?? rootLogger).child({ bench: 'serve-latency' });
  const server = await PolicyServer.start({
    models: [{ policy: opts.policy }],
    logger: new Logger(log.bindings, 'warn'),
  });
  const model = server.model(undefined);
  const embs = opts.policy.metadata.embodiments;
  const request = embs.bimanual ? 'aloha' : Object.keys(embs)[0];
  const hz = embs[request === 'aloha' ? 'bimanual' : request].controlHz;
  const intervalMs = opts.intervalMs || Math.round((opts.policy.metadata.actionHorizon / hz / 2) * 1000);
  const worker = startWorker(new URL('./bench-robots-worker.ts', import.meta.url), {
    workerData: { url: server.url, maxRobots: Math.max(...robots), request },
  });
  const lat: Record<'on' | 'off', Record<string, number[]>> = { on: {}, off: {} };
  const srv: Record<'on' | 'off', Record<string, number[]>> = { on: {}, off: {} };
  const bar = new ProgressBar({
    total: rounds * robots.length * 2,
    label: 'bench serve latency',
    unit: 'cell',
    enabled: opts.progress,
  });
  try {
    // warm-up (JIT, first-call allocations)
    model.batcher.setOptions(batchOn);
    await call(worker, { cmd: 'run', robots: Math.max(...robots), perRobot: 3, intervalMs });
    for (let r = 0; r < rounds; r++) {
      for (const n of robots) {
        const order: ('on' | 'off')[] = r % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
        for (const mode of order) {
          model.batcher.setOptions(mode === 'on' ? batchOn : batchOff);
          const m = await call(worker, { cmd: 'run', robots: n, perRobot, intervalMs });
          (lat[mode][n] ??= []).push(...(m.latencies as number[]));
          (srv[mode][n] ??= []).push(...(m.serverMs as number[]));
          bar.tick(1, `robots=${n} batching=${mode}`);
        }
      }
    }
    bar.finish();
    await call(worker, { cmd: 'close' }).catch(() => {});
  } finally {
    await worker.terminate();
    await server.close();
  }
  const out: BenchLatencyResult = {
    on: {},
    off: {},
    serverOn: {},
    serverOff: {},
    request,
    model: model.id,
    intervalMs,
  };
  for (const n of robots) {
    out.on[n] = stats(lat.on[n]);
    out.off[n] = stats(lat.off[n]);
    out.serverOn[n] = stats(srv.on[n]);
    out.serverOff[n] = stats(srv.off[n]);
  }
  return out;
}
