import { parentPort, workerData } from 'node:worker_threads';
import { decodeFrame, encodeFrame } from '@robofm/protocol';
import { TestClient, alohaRequest, nativeRequest } from './test-client.ts';

/**
 * Simulated robots for `bench serve`, in a worker thread so their encoding and socket work do not
 * share the server's event loop. Each robot keeps one WebSocket open and sends a pre-encoded
 * observation every `intervalMs` (random phase), waiting for each reply; round trips are returned.
 */
interface Init {
  url: string;
  maxRobots: number;
  /** 'aloha' (openpi layout, 224x224 CHW) or an embodiment name (native layout). */
  request: string;
}
interface Run {
  cmd: 'run';
  robots: number;
  perRobot: number;
  intervalMs: number;
}

const init = workerData as Init;
const clients: TestClient[] = [];
const frames: Uint8Array[] = [];

async function setup(): Promise<void> {
  for (let i = 0; i < init.maxRobots; i++) {
    clients.push(await TestClient.connect(init.url));
    frames.push(encodeFrame(init.request === 'aloha' ? alohaRequest(i) : nativeRequest(init.request, i)));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(msg: Run): Promise<{ latencies: number[]; serverMs: number[] }> {
  const lat: number[] = [];
  const serverMs: number[] = [];
  await Promise.all(
    clients.slice(0, msg.robots).map(async (c, i) => {
      await sleep(Math.random() * msg.intervalMs);
      for (let k = 0; k < msg.perRobot; k++) {
        const t0 = performance.now();
        c.sendRaw(frames[i]);
        const r = await c.next();
        const dt = performance.now() - t0;
        if (typeof r === 'string') throw new Error(`server error: ${r}`);
        lat.push(dt);
        const st = (decodeFrame(r) as { server_timing?: { infer_ms?: number } }).server_timing;
        if (typeof st?.infer_ms === 'number') serverMs.push(st.infer_ms);
        if (msg.intervalMs > dt) await sleep(msg.intervalMs - dt);
      }
    }),
  );
  return { latencies: lat, serverMs };
}

const ready = setup();
parentPort!.on('message', async (msg: Run | { cmd: 'close' }) => {
  try {
    await ready;
    if (msg.cmd === 'close') {
      await Promise.all(clients.map((c) => c.close()));
      parentPort!.postMessage({ closed: true });
      return;
    }
    parentPort!.postMessage(await run(msg));
  } catch (e) {
    parentPort!.postMessage({ error: String((e as Error)?.message ?? e) });
  }
});
