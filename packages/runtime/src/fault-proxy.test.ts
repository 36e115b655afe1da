import { Logger, RobofmError } from '@robofm/core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FaultProxy } from './fault-proxy.ts';
import { RemotePolicy } from './remote-policy.ts';
import { FixturePolicyServer } from './testing/policy-server.ts';
import { ReachWorld } from './testing/reach-world.ts';

const quiet = new Logger({}, 'silent');
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function rig(
  faults: ConstructorParameters<typeof FaultProxy>[0]['faults'],
  outageMode?: 'stall' | 'reset',
) {
  const world = new ReachWorld({ seed: 1 });
  const server = await new FixturePolicyServer(world.expert!).start();
  cleanup.push(() => server.kill());
  const proxy = await new FaultProxy({ target: server.url, faults, outageMode, logger: quiet }).start();
  cleanup.push(() => proxy.close());
  const obs = { embodiment: 'di', images: {}, state: world.driver.read().state, instruction: '' };
  return { world, server, proxy, obs };
}

describe('FaultProxy', () => {
  it('adds the round-trip latency, with bounded jitter, and passes frames unchanged', async () => {
    const { proxy, obs } = await rig({ latencyMs: 120, jitterMs: 20 });
    const p = await RemotePolicy.connect({ url: proxy.url, logger: quiet });
    cleanup.push(() => p.dispose());
    const rtts: number[] = [];
    for (let i = 0; i < 5; i++) rtts.push((await p.infer(obs)).timing.rttMs as number);
    for (const r of rtts) {
      expect(r).toBeGreaterThanOrEqual(120 - 40 - 2);
      expect(r).toBeLessThan(120 + 40 + 1000); // generous: the CI machine is shared
    }
    expect(proxy.stats.forwarded).toBeGreaterThanOrEqual(11); // metadata + 5 × (request, reply)
  });

  it('outage: refuses new connections, stalls open ones until it ends', async () => {
    const { proxy, obs } = await rig({ outages: [{ atS: 0.2, durationS: 0.6 }] });
    const p = await RemotePolicy.connect({ url: proxy.url, deadlineMs: 2000, logger: quiet });
    cleanup.push(() => p.dispose());
    while (proxy.time() < 0.25) await new Promise((r) => setTimeout(r, 5));
    const t0 = proxy.time();
    expect(t0).toBeLessThan(0.8); // the request below is sent inside the outage window
    await p.infer(obs); // sent during the outage: answered only after it
    expect(proxy.time()).toBeGreaterThanOrEqual(0.8 - 0.01);
    proxy.setFaults({ outages: [{ atS: proxy.time(), durationS: 1 }] });
    await expect(
      RemotePolicy.connect({ url: proxy.url, logger: quiet, connectTimeoutMs: 500, connectAttempts: 2 }),
    ).rejects.toThrow(RobofmError);
    expect(proxy.stats.refused).toBe(2); // connect() tried twice, then gave up (no background retries)
  });

  it('drops messages: the client misses its deadline and reconnects', async () => {
    const { proxy, obs } = await rig({});
    const p = await RemotePolicy.connect({ url: proxy.url, deadlineMs: 150, logger: quiet });
    cleanup.push(() => p.dispose());
    proxy.setFaults({ dropProb: 1 });
    const e = await p.infer(obs).catch((x: unknown) => x);
    expect((e as RobofmError).code).toBe('deadline_exceeded');
    expect(proxy.stats.dropped).toBeGreaterThanOrEqual(1);
    proxy.setFaults({});
    const t0 = performance.now();
    while (!p.connected && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    await expect(p.infer(obs)).resolves.toMatchObject({ horizon: 25 });
  });

  it('forwards error text frames and the 1011 close code', async () => {
    const { proxy } = await rig({ latencyMs: 20 });
    const ws = new WebSocket(proxy.url);
    const got: Array<string | number> = [];
    await new Promise<void>((resolve) => {
      ws.on('message', (d, bin) => {
        if (!bin) got.push(String(d));
        else ws.send('not msgpack'); // text frame: the server answers with an error + 1011
      });
      ws.on('close', (code) => {
        got.push(code);
        resolve();
      });
    });
    expect(got[0]).toMatch(/binary msgpack/);
    expect(got[1]).toBe(1011);
  });

  it('names a bad option', () => {
    expect(() => new FaultProxy({ target: 'localhost:1' })).toThrow(/target/);
    expect(() => new FaultProxy({ target: 'ws://x', faults: { dropProb: 2 } })).toThrow(/faults.dropProb/);
  });
});
