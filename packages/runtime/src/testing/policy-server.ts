import type { AddressInfo } from 'node:net';
import type { Policy } from '@robofm/core';
import {
  chunkToResponse,
  decodeFrame,
  encodeFrame,
  metadataFrame,
  requestToObservation,
  withServerTiming,
} from '@robofm/protocol';
import { WebSocketServer } from 'ws';

/**
 * Test fixture: the smallest openpi-protocol server around a Policy (metadata frame on connect,
 * one reply per request, errors as text + close 1011). The real server is @robofm/serve; this one
 * lets runtime tests kill and restart a server on the same port.
 */
export class FixturePolicyServer {
  private wss: WebSocketServer | null = null;
  port = 0;
  /** Extra delay before each reply, ms (simulates a slow model). */
  delayMs = 0;
  requests = 0;

  constructor(private readonly policy: Policy) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<this> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    this.port = (wss.address() as AddressInfo).port;
    this.wss = wss;
    const meta = this.policy.metadata;
    wss.on('connection', (ws) => {
      ws.send(encodeFrame(metadataFrame(meta)));
      let chain = Promise.resolve();
      ws.on('message', (data, isBinary) => {
        chain = chain.then(async () => {
          const t0 = performance.now();
          try {
            if (!isBinary) throw new Error('expected a binary msgpack frame');
            const { observation } = requestToObservation(decodeFrame(data as Buffer), {
              embodiments: meta.embodiments,
            });
            this.requests++;
            const chunk = await this.policy.infer(observation);
            if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
            const resp = withServerTiming(chunkToResponse(chunk), { infer_ms: performance.now() - t0 });
            if (ws.readyState === ws.OPEN) ws.send(encodeFrame(resp));
          } catch (e) {
            if (ws.readyState === ws.OPEN) {
              ws.send(String((e as Error).message));
              ws.close(1011, 'error');
            }
          }
        });
      });
    });
    return this;
  }

  /** Hard stop: every connection dropped at once, the port closed (as when the server process dies). */
  async kill(): Promise<void> {
    const wss = this.wss;
    this.wss = null;
    if (!wss) return;
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  }
}
