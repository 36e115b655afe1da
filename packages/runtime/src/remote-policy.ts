import {
  type ActionChunk,
  type Logger,
  type Observation,
  type Policy,
  type PolicyMetadata,
  RobofmError,
  logger as rootLogger,
  ValidationError,
} from '@robofm/core';
import {
  decodeFrame,
  encodeFrame,
  observationToRequest,
  parseMetadataFrame,
  responseToChunk,
} from '@robofm/protocol';
import WebSocket from 'ws';

export interface RemotePolicyOptions {
  /** `ws://host:port[/path]` of an openpi-compatible policy server. */
  url: string;
  /** Per-request deadline, ms (default 1000): the request fails with code `deadline_exceeded`. */
  deadlineMs?: number;
  /** Time allowed for connect + metadata frame, ms (default 3000). */
  connectTimeoutMs?: number;
  /** `connect()` tries this many times before failing (default 3). */
  connectAttempts?: number;
  /** Reconnect backoff: first delay, cap (ms) and factor (defaults 100, 2000, 2), ±20 % jitter. */
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** Sent as `Authorization: Api-Key <key>`. */
  apiKey?: string;
  /** Send images CHW (as openpi's ALOHA clients do) instead of HWC. */
  chw?: boolean;
  /** Largest reply accepted, bytes (default 64 MiB). */
  maxFrameBytes?: number;
  logger?: Logger;
}

interface Pending {
  resolve: (c: ActionChunk) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
  sentAt: number;
  /** The caller gave up (deadline); its reply, if any, is dropped. */
  abandoned: boolean;
}

/**
 * A `Policy` on the other side of an openpi WebSocket: on connect the server sends one msgpack
 * metadata frame; each `infer` sends one observation frame and gets one reply frame, in order.
 * Requests never wait for the network: while disconnected `infer` fails at once (code
 * `unreachable`), a reply later than `deadlineMs` fails it (`deadline_exceeded`), and the
 * client reconnects in the background with exponential backoff. After a missed deadline the
 * connection is replaced (the protocol has no request ids, so a lost message would otherwise
 * shift every later reply).
 */
export class RemotePolicy implements Policy {
  metadata: PolicyMetadata;
  private ws: WebSocket | null = null;
  private ready = false;
  private readonly queue: Pending[] = [];
  private disposed = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  /** Connects made (the first included) and replies received. */
  readonly stats = { connects: 0, disconnects: 0, replies: 0, deadlineMisses: 0 };

  private readonly opts: RemotePolicyOptions;

  /** Not connected yet: call `connect()` (or use `RemotePolicy.connect(opts)`). */
  constructor(urlOrOptions: string | RemotePolicyOptions) {
    const opts = typeof urlOrOptions === 'string' ? { url: urlOrOptions } : urlOrOptions;
    if (!opts || typeof opts.url !== 'string' || !/^wss?:\/\//.test(opts.url))
      throw new ValidationError('url', opts?.url, 'a ws:// or wss:// URL');
    const dl = opts.deadlineMs ?? 1000;
    if (!(dl > 0)) throw new ValidationError('deadlineMs', dl, 'a positive number of ms');
    this.opts = opts;
    this.metadata = { id: '', actionHorizon: 1, embodiments: {} };
    this.log = (opts.logger ?? rootLogger).child({ component: 'remote-policy', url: opts.url });
  }

  /** Connects, reads the metadata frame, and returns a client that keeps itself connected. */
  static async connect(opts: string | RemotePolicyOptions): Promise<RemotePolicy> {
    return new RemotePolicy(opts).connect();
  }

  /** First connection (metadata frame read); afterwards the client reconnects by itself. */
  async connect(): Promise<this> {
    if (this.ready) return this;
    const attempts = this.opts.connectAttempts ?? 3;
    for (let a = 1; ; a++) {
      try {
        await this.open();
        return this;
      } catch (e) {
        if (a >= attempts || !(e instanceof RobofmError) || e.code !== 'unreachable') {
          this.dispose(); // no background reconnects for a client that never connected
          throw e;
        }
        this.log.debug('connect failed; retrying', { attempt: a, error: e.message });
        await new Promise((r) => setTimeout(r, (this.opts.backoff?.initialMs ?? 100) * 2 ** (a - 1)));
      }
    }
  }

  get connected(): boolean {
    return this.ready;
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (this.opts.apiKey) headers.authorization = `Api-Key ${this.opts.apiKey}`;
      const ws = new WebSocket(this.opts.url, {
        headers,
        maxPayload: this.opts.maxFrameBytes ?? 64 * 1024 * 1024,
        perMessageDeflate: false,
      });
      ws.binaryType = 'nodebuffer';
      this.ws = ws;
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(
          e instanceof RobofmError
            ? e
            : new RobofmError('unreachable', `cannot connect to ${this.opts.url}: ${(e as Error).message}`, {
                cause: e,
                status: 503,
              }),
        );
      };
      const timer = setTimeout(() => {
        fail(new RobofmError('unreachable', `no metadata from ${this.opts.url} in time`, { status: 503 }));
        ws.terminate();
      }, this.opts.connectTimeoutMs ?? 3000);
      ws.on('message', (data, isBinary) => {
        if (!this.ready) {
          // First frame: metadata.
          try {
            if (!isBinary)
              throw new RobofmError('remote_error', `server said: ${String(data)}`, { status: 502 });
            const meta = parseMetadataFrame(decodeFrame(data as Buffer));
            if (this.metadata.id && meta.id !== this.metadata.id)
              this.log.info('server model changed', { from: this.metadata.id, to: meta.id });
            this.metadata = meta;
            this.ready = true;
            this.attempt = 0;
            this.stats.connects++;
            if (!settled) {
              settled = true;
              clearTimeout(timer);
              resolve();
            }
            if (this.stats.connects > 1) this.log.info('reconnected', { model: meta.id });
          } catch (e) {
            fail(e);
            ws.terminate();
          }
          return;
        }
        this.onReply(data as Buffer, isBinary);
      });
      ws.on('error', (e) => fail(e));
      ws.on('close', (code, reason) => {
        fail(new RobofmError('unreachable', `connection closed (${code})`, { status: 503 }));
        if (this.ws === ws) this.onClose(code, String(reason));
      });
    });
  }

  private onReply(data: Buffer, isBinary: boolean): void {
    const p = this.queue.shift();
    if (!p) return;
    clearTimeout(p.timer);
    if (p.abandoned) return;
    this.stats.replies++;
    if (!isBinary) {
      p.reject(new RobofmError('remote_error', `server error: ${String(data)}`, { status: 502 }));
      return;
    }
    try {
      const chunk = responseToChunk(decodeFrame(data, { maxBytes: this.opts.maxFrameBytes }));
      chunk.timing.rttMs = performance.now() - p.sentAt;
      p.resolve(chunk);
    } catch (e) {
      p.reject(e);
    }
  }

  private onClose(code: number, reason: string): void {
    const wasReady = this.ready;
    this.ready = false;
    this.ws = null;
    if (wasReady) {
      this.stats.disconnects++;
      this.log.warn('disconnected', { code, reason: reason || undefined, pending: this.queue.length });
    }
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      if (!p.abandoned)
        p.reject(
          new RobofmError('unreachable', `connection to ${this.opts.url} lost (${code})`, { status: 503 }),
        );
    }
    // Background reconnects only once connected; the first connection is `connect()`'s job.
    if (this.stats.connects > 0) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.reconnectTimer) return;
    const b = this.opts.backoff ?? {};
    const base = Math.min(b.maxMs ?? 2000, (b.initialMs ?? 100) * (b.factor ?? 2) ** this.attempt);
    const delay = this.attempt === 0 ? 0 : base * (0.8 + 0.4 * Math.random());
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.disposed) return;
      this.open().catch((e) => {
        this.log.debug('reconnect failed', { attempt: this.attempt, error: (e as Error).message });
        // 'close' follows a failed open and schedules the next try; make sure one is pending.
        if (!this.ws) this.scheduleReconnect();
      });
    }, delay);
  }

  infer(obs: Observation): Promise<ActionChunk> {
    if (this.disposed) return Promise.reject(new RobofmError('closed', 'RemotePolicy was disposed'));
    if (!this.ready || !this.ws || this.ws.readyState !== WebSocket.OPEN)
      return Promise.reject(
        new RobofmError('unreachable', `not connected to ${this.opts.url}`, { status: 503 }),
      );
    const info = this.metadata.embodiments[obs.embodiment];
    if (!info)
      return Promise.reject(
        new ValidationError(
          'observation.embodiment',
          obs.embodiment,
          `one the server drives (${Object.keys(this.metadata.embodiments).join(', ')})`,
        ),
      );
    let frame: Uint8Array;
    try {
      frame = encodeFrame(observationToRequest(obs, info, { chw: this.opts.chw }));
    } catch (e) {
      return Promise.reject(e);
    }
    const ws = this.ws;
    return new Promise<ActionChunk>((resolve, reject) => {
      const deadlineMs = this.opts.deadlineMs ?? 1000;
      const p: Pending = {
        resolve,
        reject,
        sentAt: performance.now(),
        abandoned: false,
        timer: setTimeout(() => {
          p.abandoned = true;
          this.stats.deadlineMisses++;
          reject(new RobofmError('deadline_exceeded', `no reply within ${deadlineMs} ms`, { status: 504 }));
          // Without request ids a lost reply would shift every later one: start a fresh connection.
          if (this.ws === ws) {
            this.ready = false;
            this.log.warn('deadline missed: replacing the connection', { deadline_ms: deadlineMs });
            ws.terminate();
          }
        }, deadlineMs),
      };
      this.queue.push(p);
      ws.send(frame, { binary: true }, (err) => {
        if (err && !p.abandoned) {
          p.abandoned = true;
          clearTimeout(p.timer);
          reject(new RobofmError('unreachable', `send failed: ${err.message}`, { cause: err, status: 503 }));
        }
      });
    });
  }

  dispose(): void {
    this.disposed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      if (!p.abandoned) p.reject(new RobofmError('closed', 'RemotePolicy was disposed'));
    }
    ws?.terminate();
  }
}
