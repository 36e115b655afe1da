import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { type Logger, logger as rootLogger, ValidationError } from '@robofm/core';
import { DelayLane, type FaultSpec, inOutage, rng, validateFaults } from './faults.ts';

export interface TcpFaultProxyOptions {
  /** Upstream `host:port`. */
  target: string;
  faults?: FaultSpec;
  port?: number;
  logger?: Logger;
}

/**
 * Byte-level sibling of FaultProxy for any TCP protocol (HTTP uploads, raw sockets): each chunk of
 * bytes is delayed by half the latency ± jitter per direction (order kept); an outage stalls the
 * bytes until it ends and refuses new connections; since TCP cannot lose bytes without breaking the
 * stream, `dropProb` is the probability per chunk that the whole connection is reset.
 */
export class TcpFaultProxy {
  readonly stats = { connections: 0, refused: 0, resets: 0, chunks: 0 };
  private server: Server | null = null;
  private faults: FaultSpec;
  private t0 = performance.now();
  private rand: () => number;
  private readonly sockets = new Set<Socket>();
  private readonly host: string;
  private readonly targetPort: number;
  private readonly log: Logger;
  port = 0;

  constructor(private readonly opts: TcpFaultProxyOptions) {
    const m = /^([^:]+):(\d+)$/.exec(opts.target ?? '');
    if (!m) throw new ValidationError('target', opts.target, "'host:port'");
    this.host = m[1];
    this.targetPort = Number(m[2]);
    this.faults = validateFaults({ ...opts.faults });
    this.rand = rng(this.faults.seed ?? 11);
    this.log = (opts.logger ?? rootLogger).child({ component: 'tcp-fault-proxy' });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  time(): number {
    return (performance.now() - this.t0) / 1000;
  }

  resetClock(): void {
    this.t0 = performance.now();
  }

  setFaults(f: FaultSpec): void {
    this.faults = validateFaults({ ...f });
  }

  async start(): Promise<this> {
    const server = createServer((client) => this.onClient(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.resetClock();
    return this;
  }

  private onClient(client: Socket): void {
    if (inOutage(this.faults.outages, this.time())) {
      this.stats.refused++;
      client.destroy();
      return;
    }
    this.stats.connections++;
    const upstream = connect(this.targetPort, this.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const reset = () => {
      this.stats.resets++;
      this.log.debug('dropping a connection', { resets: this.stats.resets });
      client.resetAndDestroy();
      upstream.destroy();
    };
    this.pipe(client, upstream, reset);
    this.pipe(upstream, client, reset);
  }

  private pipe(from: Socket, to: Socket, reset: () => void): void {
    const q = new DelayLane();
    const later = (fn: () => void) => {
      const f = this.faults;
      const now = this.time();
      const jitter = ((this.rand() * 2 - 1) * (f.jitterMs ?? 0)) / 1000;
      let at = now + Math.max(0, (f.latencyMs ?? 0) / 2000 + jitter);
      for (const o of f.outages ?? [])
        if ((now >= o.atS && now < o.atS + o.durationS) || (at >= o.atS && at < o.atS + o.durationS))
          at = Math.max(at, o.atS + o.durationS);
      q.push(at - now, fn);
    };
    from.on('data', (chunk: Buffer) => {
      if ((this.faults.dropProb ?? 0) > 0 && this.rand() < (this.faults.dropProb ?? 0)) {
        reset();
        return;
      }
      this.stats.chunks++;
      later(() => {
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on('end', () => later(() => to.end()));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
