import { Logger } from '@robofm/core';
import { NdArray } from '@robofm/protocol';
import { fuzzFrame, rng } from './fuzz.ts';
import { HoldSinePolicy } from './hold-sine-policy.ts';
import { PolicyServer } from './server.ts';
import { TestClient, alohaRequest } from './test-client.ts';

export interface FuzzReport {
  frames: number;
  replies: number;
  errorFrames: number;
  connections: number;
  goodRequests: number;
  goodFailures: number;
  goodP99Ms: number;
  healthy: boolean;
}

/**
 * Fires `frames` fuzz frames at a server from `workers` parallel connections (reconnecting after
 * each error close) while one well-behaved client keeps requesting; reports what happened.
 */
export async function runFuzz(frames: number, seed = 1, workers = 8): Promise<FuzzReport> {
  const server = await PolicyServer.start({
    models: [{ policy: new HoldSinePolicy() }],
    maxFrameBytes: 1 << 20,
    logger: new Logger({}, 'silent'),
  });
  const report: FuzzReport = {
    frames: 0,
    replies: 0,
    errorFrames: 0,
    connections: 0,
    goodRequests: 0,
    goodFailures: 0,
    goodP99Ms: 0,
    healthy: false,
  };
  let done = false;
  const goodLat: number[] = [];
  const good = (async () => {
    const c = await TestClient.connect(server.url);
    let i = 0;
    while (!done) {
      const t0 = performance.now();
      try {
        const r = await c.infer(alohaRequest(i++, 64));
        const a = r.actions as NdArray;
        if (!(a instanceof NdArray) || a.shape[0] !== 16 || a.shape[1] !== 14) report.goodFailures++;
      } catch {
        report.goodFailures++;
        break;
      }
      goodLat.push(performance.now() - t0);
      report.goodRequests++;
    }
    await c.close();
  })();
  let next = 0;
  const worker = async (w: number) => {
    const r = rng(seed * 1000 + w);
    let c: TestClient | null = null;
    while (next < frames) {
      next++;
      if (!c) {
        c = await TestClient.connect(server.url);
        report.connections++;
      }
      c.sendRaw(fuzzFrame(r));
      report.frames++;
      try {
        const reply = await c.next();
        if (typeof reply === 'string') {
          report.errorFrames++;
          await c.next().catch(() => {}); // the close that follows
          c = null;
        } else report.replies++;
      } catch {
        c = null; // closed without a text frame (e.g. ws protocol error): reconnect
      }
    }
    if (c) await c.close();
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  done = true;
  await good;
  goodLat.sort((a, b) => a - b);
  report.goodP99Ms = goodLat[Math.floor(goodLat.length * 0.99)] ?? 0;
  report.healthy = (await fetch(`${server.httpUrl}/healthz`)).status === 200;
  await server.close();
  return report;
}
