import { EMBODIMENTS, type Logger, Logger as LoggerClass } from '@robofm/core';
import { NdArray, decodeFrame, encodeFrame } from '@robofm/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HoldSinePolicy } from './hold-sine-policy.ts';
import { PolicyServer, servePolicy } from './server.ts';
import { ServerError, TestClient, alohaRequest, nativeRequest } from './test-client.ts';

const quiet: Logger = new LoggerClass({}, 'silent');
const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of toClose.splice(0)) await s.close();
});

async function start(opts: Parameters<typeof PolicyServer.start>[0]): Promise<PolicyServer> {
  const s = await PolicyServer.start({ logger: quiet, ...opts });
  toClose.push(s);
  return s;
}

describe('PolicyServer WebSocket (openpi protocol)', () => {
  it('sends metadata, answers an ALOHA request with [H, 14] actions and timings', async () => {
    const s = await start({ models: [{ policy: new HoldSinePolicy({ horizon: 10 }) }] });
    const c = await TestClient.connect(s.url);
    expect(c.metadata.model).toBe('scripted-hold-sine');
    expect(c.metadata.action_horizon).toBe(10);
    const r1 = await c.infer(alohaRequest(1));
    const a = r1.actions as NdArray;
    expect(a).toBeInstanceOf(NdArray);
    expect(a.dtype).toBe('<f4');
    expect(a.shape).toEqual([10, 14]);
    expect((r1.policy_timing as Record<string, number>).infer_ms).toBeGreaterThanOrEqual(0);
    const st1 = r1.server_timing as Record<string, number>;
    expect(st1.infer_ms).toBeGreaterThanOrEqual(0);
    expect(st1.prev_total_ms).toBeUndefined();
    const r2 = await c.infer(alohaRequest(2));
    expect((r2.server_timing as Record<string, number>).prev_total_ms).toBeGreaterThan(0);
    // the hold policy starts each chunk at the request's state
    const state = (alohaRequest(2).state as NdArray).data as Float32Array;
    const row0 = (r2.actions as NdArray).data.subarray(0, 14) as Float32Array;
    for (let j = 0; j < 14; j++) expect(Math.abs(row0[j] - state[j])).toBeLessThan(0.2);
    await c.close();
  });

  it('serves every built-in embodiment through the native layout', async () => {
    const s = await start({ models: [{ policy: new HoldSinePolicy() }] });
    const c = await TestClient.connect(s.url);
    for (const name of Object.keys(EMBODIMENTS)) {
      const r = await c.infer(nativeRequest(name));
      expect((r.actions as NdArray).shape).toEqual([16, EMBODIMENTS[name].actionNames.length]);
    }
    await c.close();
  });

  it('a bad frame gets a text frame naming the field and close 1011; others are unaffected', async () => {
    const s = await start({ models: [{ policy: new HoldSinePolicy() }] });
    const good = await TestClient.connect(s.url);
    const bad = await TestClient.connect(s.url);
    const req = alohaRequest(0);
    req.state = new NdArray(new Float32Array(13), [13]);
    bad.sendRaw(encodeFrame(req));
    const text = await bad.next();
    expect(typeof text).toBe('string');
    expect(text).toMatch(/state\.shape: got "\[13\]", expected \[14\]/);
    await expect(bad.next()).rejects.toThrow(/closed \(1011\)/);
    expect(bad.closeCode).toBe(1011);
    const r = await good.infer(alohaRequest(3));
    expect((r.actions as NdArray).shape[1]).toBe(14);
    // garbage bytes and a text frame
    for (const payload of [new Uint8Array([0xc1, 0xff, 0x00]), 'hello']) {
      const c = await TestClient.connect(s.url);
      c.sendRaw(payload);
      expect(typeof (await c.next())).toBe('string');
      await expect(c.next()).rejects.toThrow(/1011/);
    }
    expect(s.metrics.errors.get({ code: 'invalid_argument', transport: 'ws' })).toBeGreaterThanOrEqual(2);
    await good.close();
  });

  it('rejects frames over the size limit naming the limit', async () => {
    const s = await start({ models: [{ policy: new HoldSinePolicy() }], maxFrameBytes: 50_000 });
    const c = await TestClient.connect(s.url);
    c.sendRaw(encodeFrame(alohaRequest(0)));
    expect(await c.next()).toMatch(/frame: got "\d+ bytes", expected at most 50000 bytes/);
  });

  it('routes several models by path and query', async () => {
    const s = await start({
      models: [
        { policy: new HoldSinePolicy({ id: 'a', horizon: 4 }) },
        { policy: new HoldSinePolicy({ id: 'b', horizon: 6 }) },
      ],
    });
    const a = await TestClient.connect(s.url);
    const b = await TestClient.connect(`${s.url}/v1/models/b/ws`);
    const b2 = await TestClient.connect(`${s.url}/?model=b`);
    expect(a.metadata.model).toBe('a');
    expect(b.metadata.model).toBe('b');
    expect(b2.metadata.model).toBe('b');
    expect(((await b.infer(alohaRequest())).actions as NdArray).shape).toEqual([6, 14]);
    await expect(TestClient.connect(`${s.url}/v1/models/zzz/ws`)).rejects.toThrow(/404/);
    await Promise.all([a.close(), b.close(), b2.close()]);
  });
});

describe('auth and rate limits', () => {
  it('requires Api-Key when keys are configured and limits per key', async () => {
    const s = await start({
      models: [{ policy: new HoldSinePolicy() }],
      apiKeys: [
        { key: 'robot-key', name: 'robot', ratePerSec: 1000 },
        { key: 'slow-key', name: 'slow', ratePerSec: 0.001, burst: 2 },
      ],
    });
    await expect(TestClient.connect(s.url)).rejects.toThrow(/401/);
    await expect(TestClient.connect(s.url, { Authorization: 'Api-Key nope' })).rejects.toThrow(/401/);
    const ok = await TestClient.connect(s.url, { Authorization: 'Api-Key robot-key' });
    expect(((await ok.infer(alohaRequest())).actions as NdArray).shape[1]).toBe(14);
    const slow = await TestClient.connect(s.url, { Authorization: 'Api-Key slow-key' });
    await slow.infer(alohaRequest());
    await slow.infer(alohaRequest());
    await expect(slow.infer(alohaRequest())).rejects.toThrow(/rate_limited: rate limit for key slow/);
    // HTTP too
    expect((await fetch(`${s.httpUrl}/v1/models`)).status).toBe(401);
    const list = await fetch(`${s.httpUrl}/v1/models`, { headers: { Authorization: 'Api-Key robot-key' } });
    expect(list.status).toBe(200);
    expect((await fetch(`${s.httpUrl}/healthz`)).status).toBe(200);
    expect(s.metrics.rateLimited.get({ transport: 'ws' })).toBe(1);
    await ok.close();
  });
});

describe('HTTP API', () => {
  it('healthz, models, msgpack and JSON infer, metrics', async () => {
    const s = await start({ models: [{ policy: new HoldSinePolicy({ horizon: 5 }) }] });
    const h = await fetch(`${s.httpUrl}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('OK\n');
    const models = (await (await fetch(`${s.httpUrl}/v1/models`)).json()) as {
      data: { id: string; action_horizon: number }[];
    };
    expect(models.data[0].id).toBe('scripted-hold-sine');
    expect(models.data[0].action_horizon).toBe(5);
    const mp = await fetch(`${s.httpUrl}/v1/models/scripted-hold-sine/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/msgpack' },
      body: Buffer.from(encodeFrame(alohaRequest())),
    });
    expect(mp.status).toBe(200);
    const reply = decodeFrame(new Uint8Array(await mp.arrayBuffer())) as Record<string, unknown>;
    expect((reply.actions as NdArray).shape).toEqual([5, 14]);
    const spec = EMBODIMENTS.arm6 ?? Object.values(EMBODIMENTS)[0];
    const cam = spec.cameras[0];
    const body = {
      embodiment: spec.name,
      state: new Array(spec.stateNames.length).fill(0),
      images: Object.fromEntries(
        spec.cameras.map((c) => [
          c.name,
          Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => [10, 20, 30])),
        ]),
      ),
      prompt: 'reach',
    };
    const js = await fetch(`${s.httpUrl}/v1/models/scripted-hold-sine/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(js.status).toBe(200);
    const jr = (await js.json()) as { actions: number[][]; server_timing: { infer_ms: number } };
    expect(jr.actions.length).toBe(5);
    expect(jr.actions[0].length).toBe(spec.actionNames.length);
    expect(cam.width).toBeGreaterThan(0);
    const badJson = await fetch(`${s.httpUrl}/v1/models/scripted-hold-sine/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, state: [1, 2] }),
    });
    expect(badJson.status).toBe(400);
    const err = (await badJson.json()) as { error: { field: string; message: string } };
    expect(err.error.field).toBe('state.shape');
    expect((await fetch(`${s.httpUrl}/v1/models/nope/infer`, { method: 'POST' })).status).toBe(404);
    const metrics = await (await fetch(`${s.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /robofm_request_duration_seconds_bucket\{model="scripted-hold-sine",transport="http",le="0.025"\} \d+/,
    );
    expect(metrics).toMatch(/robofm_batch_size_count\{model="scripted-hold-sine"\} 2/);
    expect(metrics).toMatch(/robofm_errors_total\{code="invalid_argument",transport="http"\} 1/);
    expect(metrics).toMatch(/robofm_websocket_connections /);
  });
});

describe('dynamic batching', () => {
  it('batches concurrent robots into one policy call', async () => {
    const policy = new HoldSinePolicy({ fixedMs: 15 });
    const s = await start({ models: [{ policy }], batch: { maxBatch: 8, maxWaitMs: 5 } });
    const clients = await Promise.all(Array.from({ length: 8 }, () => TestClient.connect(s.url)));
    for (let round = 0; round < 5; round++) {
      const replies = await Promise.all(clients.map((c, i) => c.infer(alohaRequest(i))));
      for (const r of replies) expect((r.actions as NdArray).shape).toEqual([16, 14]);
    }
    const batches = s.metrics.batchSize.count({ model: 'scripted-hold-sine' });
    expect(policy.calls).toBe(batches);
    expect(batches).toBeLessThan(40 / 2); // 40 requests in fewer than 20 calls
    await Promise.all(clients.map((c) => c.close()));
  });

  it('with batching off every request is its own call', async () => {
    const policy = new HoldSinePolicy();
    const s = await start({ models: [{ policy }], batch: { maxBatch: 1, maxWaitMs: 0 } });
    const clients = await Promise.all(Array.from({ length: 4 }, () => TestClient.connect(s.url)));
    await Promise.all(clients.map((c) => c.infer(alohaRequest())));
    expect(policy.calls).toBe(4);
    await Promise.all(clients.map((c) => c.close()));
  });
});

describe('hot reload', () => {
  it('swaps the policy without dropping connections', async () => {
    let n = 0;
    const make = () => new HoldSinePolicy({ amplitude: 0.02 * ++n, frequencyHz: 3 });
    const first = make();
    const s = await start({ models: [{ policy: first, id: 'm', load: async () => make() }] });
    const c = await TestClient.connect(s.url);
    const req = { ...alohaRequest(), timestamp: 0.3 };
    const before = ((await c.infer(req)).actions as NdArray).data as Float32Array;
    const res = await fetch(`${s.httpUrl}/v1/models/m/reload`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { version: number }).version).toBe(2);
    const after = ((await c.infer(req)).actions as NdArray).data as Float32Array;
    expect(Array.from(after)).not.toEqual(Array.from(before));
    expect(c.closeCode).toBeUndefined();
    // reload with an explicit policy object, while requests are in flight
    const inflight = Array.from({ length: 5 }, (_, i) => c.infer({ ...req, timestamp: i }));
    await s.reload('m', make());
    for (const r of await Promise.all(inflight)) expect((r.actions as NdArray).shape).toEqual([16, 14]);
    expect(s.model('m').version).toBe(3);
    await c.close();
  });

  it('a failing reload keeps serving the old policy', async () => {
    const s = await start({
      models: [
        {
          policy: new HoldSinePolicy(),
          id: 'm',
          load: async () => Promise.reject(new Error('disk on fire')),
        },
      ],
    });
    const c = await TestClient.connect(s.url);
    expect((await fetch(`${s.httpUrl}/v1/models/m/reload`, { method: 'POST' })).status).toBe(500);
    expect(((await c.infer(alohaRequest())).actions as NdArray).shape[1]).toBe(14);
    await c.close();
  });
});

describe('servePolicy', () => {
  it('wraps one policy and closes', async () => {
    const h = await servePolicy(new HoldSinePolicy(), { logger: quiet });
    const c = await TestClient.connect(h.url);
    await c.infer(alohaRequest());
    await c.close();
    await h.close();
    await expect(TestClient.connect(h.url)).rejects.toThrow();
  });

  it('a policy that throws answers an error frame; the server stays up', async () => {
    const policy = new HoldSinePolicy();
    policy.inferBatch = async () => {
      throw new Error('CUDA out of memory');
    };
    // a server refuses to start on a policy that fails its warm-up...
    await expect(servePolicy(policy, { logger: quiet, warmUp: true })).rejects.toThrow(/CUDA out of memory/);
    // ...and without warm-up, a failure at request time is that request's error only
    const h = await servePolicy(policy, { logger: quiet });
    toClose.push(h);
    const c = await TestClient.connect(h.url);
    await expect(c.infer(alohaRequest())).rejects.toBeInstanceOf(ServerError);
    expect((await fetch(`${h.httpUrl}/healthz`)).status).toBe(200);
  });
});

describe('reload safety', () => {
  it('a checkpoint that loads but cannot infer never goes live', async () => {
    const broken = new HoldSinePolicy();
    broken.inferBatch = async () => {
      throw new Error('shape mismatch in layer 3');
    };
    const s = await start({
      models: [{ policy: new HoldSinePolicy(), id: 'm', load: async () => broken }],
      warmUp: true,
    });
    const c = await TestClient.connect(s.url);
    const res = await fetch(`${s.httpUrl}/v1/models/m/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/shape mismatch/);
    expect(s.model('m').version).toBe(1);
    expect(((await c.infer(alohaRequest())).actions as NdArray).shape).toEqual([16, 14]);
    expect(s.metrics.reloads.get({ model: 'm', outcome: 'error' })).toBe(1);
    await c.close();
  });
});

describe('HTTP edge cases', () => {
  it('JSON ndarrays in base64, frame_too_large, content-type errors, 429 over the rate', async () => {
    const s = await start({
      models: [{ policy: new HoldSinePolicy({ horizon: 3 }) }],
      maxFrameBytes: 200_000,
      apiKeys: [{ key: 'k', ratePerSec: 0.001, burst: 3 }],
    });
    const auth = { Authorization: 'Api-Key k' };
    const url = `${s.httpUrl}/v1/models/scripted-hold-sine/infer`;
    const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    const img = new Uint8Array(3 * 40 * 50).fill(9);
    const body = {
      state: { __ndarray__: true, data: b64(new Float64Array(14)), dtype: '<f8', shape: [14] },
      images: { cam_high: { __ndarray__: true, data: b64(img), dtype: '|u1', shape: [3, 40, 50] } },
      prompt: 'fold',
    };
    const ok = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { actions: number[][] }).actions.length).toBe(3);
    const big = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/msgpack' },
      body: Buffer.alloc(300_000),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('frame_too_large');
    const noType = await fetch(url, { method: 'POST', headers: auth, body: 'x' });
    expect(((await noType.json()) as { error: { field: string } }).error.field).toBe('content-type');
    const limited = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(limited.status).toBe(429);
    expect(s.metrics.rateLimited.get({ transport: 'http' })).toBe(1);
  });
});

describe('heartbeat', () => {
  it('drops a peer that stops answering pings, keeps live ones', async () => {
    const s = await start({ models: [{ policy: new HoldSinePolicy() }], heartbeatMs: 50 });
    const live = await TestClient.connect(s.url);
    const dead = await TestClient.connect(s.url);
    // a frozen peer: its socket stops reading, so pongs never come back
    (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await new Promise((r) => setTimeout(r, 400));
    expect(s.metrics.connections.get({})).toBe(1);
    expect(((await live.infer(alohaRequest())).actions as NdArray).shape[1]).toBe(14);
    await live.close();
  });
});
