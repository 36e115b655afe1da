import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@robofm/core';
import { decodeFrame } from '@robofm/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { EpisodeBuffer, HttpUploader } from './episode-buffer.ts';
import { TcpFaultProxy } from './tcp-fault-proxy.ts';

const quiet = new Logger({}, 'silent');
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('TcpFaultProxy', () => {
  it('delays bytes by the latency and delivers them intact and in order', async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => echo.close(r)));
    const proxy = await new TcpFaultProxy({
      target: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
      faults: { latencyMs: 100, jitterMs: 30 },
      logger: quiet,
    }).start();
    cleanup.push(() => proxy.close());
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const sock = connect(proxy.port, '127.0.0.1');
    cleanup.push(() => sock.destroy());
    const t0 = performance.now();
    const got: Buffer[] = [];
    let n = 0;
    await new Promise<void>((resolve) => {
      sock.on('data', (d: Buffer) => {
        got.push(d);
        n += d.length;
        if (n >= payload.length) resolve();
      });
      sock.write(payload);
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100 - 60);
    expect(Buffer.concat(got).equals(payload)).toBe(true);
  });

  it('an outage refuses uploads; the episode stays pending and goes through afterwards, once', async () => {
    const received: Array<{ id: string; steps: unknown[] }> = [];
    const fleet = createHttpServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        received.push(decodeFrame(Buffer.concat(parts)) as { id: string; steps: unknown[] });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => fleet.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => fleet.close(r)));
    const proxy = await new TcpFaultProxy({
      target: `127.0.0.1:${(fleet.address() as AddressInfo).port}`,
      faults: { latencyMs: 20, outages: [{ atS: 0, durationS: 3600 }] },
      logger: quiet,
    }).start();
    cleanup.push(() => proxy.close());
    const dir = await mkdtemp(join(tmpdir(), 'robofm-up-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const buf = await EpisodeBuffer.open(dir, { logger: quiet });
    const w = await buf.begin({ embodiment: 'di' });
    for (let s = 0; s < 50; s++)
      w.step({
        t: s / 50,
        step: s,
        mode: 'remote',
        state: new Float32Array(3),
        qd: new Float32Array(3),
        action: null,
      });
    await w.end({ success: true });
    const up = new HttpUploader(`http://${proxy.address}/v1/episodes`, { timeoutMs: 2000 });
    expect(await buf.uploadPending(up)).toEqual({ uploaded: [], failed: [w.id] });
    expect(proxy.stats.refused).toBeGreaterThanOrEqual(1);
    proxy.setFaults({ latencyMs: 20 }); // network back
    expect(await buf.uploadPending(up)).toEqual({ uploaded: [w.id], failed: [] });
    expect(await buf.uploadPending(up)).toEqual({ uploaded: [], failed: [] });
    expect(received.map((e) => e.id)).toEqual([w.id]);
    expect(received[0].steps).toHaveLength(50);
  });
});
