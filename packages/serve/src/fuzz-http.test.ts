import { Logger } from '@robofm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzFrame, rng } from './fuzz.ts';
import { HoldSinePolicy } from './hold-sine-policy.ts';
import { PolicyServer } from './server.ts';

describe('HTTP fuzz', () => {
  let s: PolicyServer;
  beforeAll(async () => {
    s = await PolicyServer.start({
      models: [{ policy: new HoldSinePolicy() }],
      maxFrameBytes: 1 << 20,
      logger: new Logger({}, 'silent'),
    });
  });
  afterAll(async () => s.close());

  it('400 random bodies (msgpack, JSON, garbage) get 200 or a 4xx naming the problem, never a 5xx', async () => {
    const r = rng(3);
    const statuses = new Map<number, number>();
    const url = `${s.httpUrl}/v1/models/scripted-hold-sine/infer`;
    for (let i = 0; i < 400; i++) {
      const frame = fuzzFrame(r);
      const kind = Math.floor(r() * 3);
      const type = ['application/msgpack', 'application/json', 'text/plain'][kind];
      let body: string | Buffer = typeof frame === 'string' ? frame : Buffer.from(frame);
      if (kind === 1 && r() < 0.5)
        body = JSON.stringify({ state: [r(), 'x'], images: { cam_high: [[1, 2], [3]] } });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status !== 200) expect(JSON.parse(text).error.message).toMatch(/got .*expected|expected/);
    }
    for (const code of statuses.keys()) expect(code === 200 || (code >= 400 && code < 500)).toBe(true);
    expect((await fetch(`${s.httpUrl}/healthz`)).status).toBe(200);
  });
});
