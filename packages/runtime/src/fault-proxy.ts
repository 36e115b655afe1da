import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Logger, logger as rootLogger, ValidationError } from '@robofm/core';
import WebSocket, { type RawData, WebSocketServer } from 'ws';
import { DelayLane, type FaultSpec, inOutage, type Outage, rng, validateFaults } from './faults.ts';

export interface FaultProxyOptions {
  /** Upstream server, `ws://host:port`. */
  target: string;
  faults?: FaultSpec;
  /** Loopback port to listen on (default: any free port). */
  port?: number;
  /**
   * What an outage does to open connections: `stall` holds their messages until it ends (as TCP
   * does when packets stop flowing), `reset` drops them. New connections are refused either way.
   */
  outageMode?: 'stall' | 'reset';
  logger?: Logger;
}

export interface FaultProxyStats {
  connections: number;
  refused: number;
  forwarded: number;
  dropped: number;
  stalled: number;
}

/**
 * A WebSocket proxy on loopback that injects network faults between a robot and a policy server:
 * added latency (half each way) with ± jitter per message (order kept, as on TCP), message drops,
 * and outages scheduled relative to `resetClock()` (or start). Frames pass through unchanged
 * (binary stays binary, text stays text, close codes such as 1011 are forwarded).
 */
export class FaultProxy {
  readonly stats: FaultProxyStats = { connections: 0, refused: 0, forwarded: 0, dropped: 0, stalled: 0 };
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private faults: FaultSpec;
  private t0 = performance.now();
  private rand: () => number;
  private readonly log: Logger;
  private readonly pairs = new Set<{ client: WebSocket; upstream: WebSocket }>();
  private outageTimers: NodeJS.Timeout[] = [];
  port = 0;

  constructor(private readonly opts: FaultProxyOptions) {
    if (!/^wss?:\/\//.test(opts.target)) throw new ValidationError('target', opts.target, 'a ws:// URL');
    if (opts.outageMode !== undefined && opts.outageMode !== 'stall' && opts.outageMode !== 'reset')
      throw new ValidationError('outageMode', opts.outageMode, 'stall or reset');
    this.faults = validateFaults({ ...opts.faults });
    this.rand = rng(this.faults.seed ?? 7);
    this.log = (opts.logger ?? rootLogger).child({ component: 'fault-proxy' });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Seconds since the clock origin (outages are scheduled on this clock). */
  time(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Restart the outage clock now (e.g. at episode start). */
  resetClock(): void {
    this.t0 = performance.now();
    this.armOutageResets();
  }

  setFaults(f: FaultSpec): void {
    this.faults = validateFaults({ ...f });
    this.rand = rng(this.faults.seed ?? 7);
    this.armOutageResets();
  }

  async start(): Promise<this> {
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('fault proxy: WebSocket only\n');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.resetClock();
    return this;
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (inOutage(this.faults.outages, this.time())) {
      this.stats.refused++;
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (client) => this.bridge(client, req));
  }

  private bridge(client: WebSocket, req: IncomingMessage): void {
    this.stats.connections++;
    const headers: Record<string, string> = {};
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const upstream = new WebSocket(new URL(req.url ?? '/', this.opts.target).toString(), {
      headers,
      perMessageDeflate: false,
      maxPayload: 256 * 1024 * 1024,
    });
    const pair = { client, upstream };
    this.pairs.add(pair);
    const early: Array<[RawData, boolean]> = [];
    const toUp = this.lane((data, bin) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: bin });
      else if (upstream.readyState === WebSocket.CONNECTING) early.push([data, bin]);
    });
    const toClient = this.lane((data, bin) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: bin });
    });
    upstream.on('open', () => {
      for (const [d, b] of early.splice(0)) upstream.send(d, { binary: b });
    });
    client.on('message', (d, bin) => toUp.push(d, bin));
    upstream.on('message', (d, bin) => toClient.push(d, bin));
    const closeBoth = (code: number, reason: Buffer) => {
      this.pairs.delete(pair);
      const c = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
      const r = reason.toString().slice(0, 120);
      // Deliver what is still in flight first (the close travels the same delayed lane).
      toClient.push(null, false, () => client.readyState === WebSocket.OPEN && client.close(c, r));
      toUp.push(null, false, () => upstream.readyState === WebSocket.OPEN && upstream.close(c, r));
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', () => upstream.terminate());
    upstream.on('error', () => client.terminate());
  }

  /** One direction of one connection: delayed, jittered, order-kept delivery with drops and stalls. */
  private lane(deliver: (data: RawData, binary: boolean) => void) {
    const q = new DelayLane();
    return {
      push: (data: RawData | null, binary: boolean, after?: () => void) => {
        const f = this.faults;
        const now = this.time();
        if (data !== null && (f.dropProb ?? 0) > 0 && this.rand() < (f.dropProb ?? 0)) {
          this.stats.dropped++;
          return;
        }
        const jitter = ((this.rand() * 2 - 1) * (f.jitterMs ?? 0)) / 1000;
        let at = now + Math.max(0, (f.latencyMs ?? 0) / 2000 + jitter);
        const o = outageAt(f.outages, now) ?? outageAt(f.outages, at);
        if (o) {
          at = Math.max(at, o.atS + o.durationS + (f.latencyMs ?? 0) / 2000);
          this.stats.stalled++;
        }
        q.push(at - now, () => {
          if (data !== null) {
            this.stats.forwarded++;
            deliver(data, binary);
          }
          after?.();
        });
      },
    };
  }

  /** In `reset` mode, drop every open connection when an outage starts. */
  private armOutageResets(): void {
    for (const t of this.outageTimers) clearTimeout(t);
    this.outageTimers = [];
    if ((this.opts.outageMode ?? 'stall') !== 'reset') return;
    for (const o of this.faults.outages ?? []) {
      const ms = (o.atS - this.time()) * 1000;
      if (ms < 0) continue;
      this.outageTimers.push(
        setTimeout(() => {
          this.log.info('outage: dropping connections', {
            connections: this.pairs.size,
            duration_s: o.durationS,
          });
          for (const p of this.pairs) {
            p.client.terminate();
            p.upstream.terminate();
          }
        }, ms),
      );
    }
  }

  async close(): Promise<void> {
    for (const t of this.outageTimers) clearTimeout(t);
    for (const p of this.pairs) {
      p.client.terminate();
      p.upstream.terminate();
    }
    this.pairs.clear();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

function outageAt(outages: Outage[] | undefined, t: number): Outage | undefined {
  return (outages ?? []).find((o) => t >= o.atS && t < o.atS + o.durationS);
}
