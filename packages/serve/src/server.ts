import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger, type Policy, RobofmError, logger as rootLogger } from '@robofm/core';
import {
  DEFAULT_MAX_FRAME_BYTES,
  chunkToResponse,
  decodeFrame,
  encodeFrame,
  metadataFrame,
  requestToObservation,
  withServerTiming,
} from '@robofm/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ApiKeySpec, ApiKeyAuth } from './auth.ts';
import { type BatchOptions, DEFAULT_BATCH } from './batcher.ts';
import { handleHttp } from './http-api.ts';
import { ServerMetrics } from './metrics.ts';
import { type ModelSpec, ServedModel, warmUp } from './served-model.ts';

export interface ServerOptions {
  /** Models to host; the first is the default for `ws://host:port/`. */
  models: ModelSpec[];
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  batch?: BatchOptions;
  /** API keys; empty = open server. */
  apiKeys?: ApiKeySpec[];
  /** Largest request frame / body accepted (bytes). */
  maxFrameBytes?: number;
  /** Longest a request may take inside the model (ms). */
  requestTimeoutMs?: number;
  /**
   * Run one blank inference per embodiment before listening and before a reloaded policy goes live
   * (a checkpoint that cannot infer is refused). Default false: stateful policies (scripted experts)
   * may not want blank calls; `robofm serve` turns it on.
   */
  warmUp?: boolean;
  /** Frames one connection may have queued before it is closed (default 8). */
  maxPipelined?: number;
  maxConnections?: number;
  /** Ping every connection this often; one that missed the previous pong is dropped (default 20 s, 0 = off). */
  heartbeatMs?: number;
  logger?: Logger;
}

/** Result of one request through a model, shared by the WebSocket and HTTP paths. */
export interface InferOutcome {
  reply: Record<string, unknown>;
}

const CLOSE_INTERNAL = 1011;

/**
 * The policy server: openpi-compatible WebSocket (metadata frame on connect, one msgpack request →
 * one msgpack reply with `actions`, `policy_timing`, `server_timing`; errors as a text frame and close
 * 1011) and an HTTP API beside it on the same port (`/healthz`, `/v1/models`, `/v1/models/{id}/infer`,
 * `/v1/models/{id}/reload`, `/metrics`). A bad frame only ends its own connection.
 */
export class PolicyServer {
  readonly metrics = new ServerMetrics();
  readonly auth: ApiKeyAuth;
  readonly models = new Map<string, ServedModel>();
  readonly defaultModel: string;
  readonly maxFrameBytes: number;
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly maxPipelined: number;
  private readonly maxConnections: number;
  private closing = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly alive = new WeakMap<WebSocket, boolean>();

  private constructor(opts: ServerOptions) {
    if (opts.models.length === 0)
      throw new RobofmError('invalid_argument', 'models: got none, expected at least one model to serve', {
        status: 400,
      });
    this.log = (opts.logger ?? rootLogger).child({ component: 'serve' });
    this.auth = new ApiKeyAuth(opts.apiKeys ?? []);
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.maxPipelined = opts.maxPipelined ?? 8;
    this.maxConnections = opts.maxConnections ?? 1024;
    for (const spec of opts.models) {
      const m = new ServedModel(
        spec,
        opts.batch ?? DEFAULT_BATCH,
        this.metrics,
        this.log,
        opts.warmUp ?? false,
      );
      if (this.models.has(m.id))
        throw new RobofmError('invalid_argument', `models: got id ${m.id} twice, expected unique model ids`, {
          status: 400,
        });
      this.models.set(m.id, m);
    }
    this.defaultModel = [...this.models.keys()][0];
    // Frames a bit over the limit still reach our handler (so the error names the limit); far over, ws closes 1009.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.maxFrameBytes + 1024 * 1024,
      perMessageDeflate: false,
    });
    this.wss.on('error', (e) => this.log.error('websocket server error', { err: e }));
    this.http = createServer((req, res) => {
      handleHttp(this, req, res).catch((e) => {
        this.log.error('http handler failed', { err: e });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.http.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      else socket.destroy();
    });
  }

  static async start(opts: ServerOptions): Promise<PolicyServer> {
    const s = new PolicyServer(opts);
    if (opts.warmUp) {
      const t0 = performance.now();
      for (const m of s.models.values()) await warmUp(m.policy);
      s.log.debug('models warmed up', { ms: Math.round(performance.now() - t0) });
    }
    await new Promise<void>((resolve, reject) => {
      s.http.once('error', reject);
      s.http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        s.http.off('error', reject);
        resolve();
      });
    });
    s.http.on('error', (e) => s.log.error('http server error', { err: e }));
    const hb = opts.heartbeatMs ?? 20_000;
    if (hb > 0) {
      // Like the websockets library openpi uses: dead peers (pulled cable) are noticed and dropped.
      s.heartbeat = setInterval(() => {
        for (const c of s.wss.clients) {
          if (s.alive.get(c) === false) {
            c.terminate();
            continue;
          }
          s.alive.set(c, false);
          try {
            c.ping();
          } catch {
            c.terminate();
          }
        }
      }, hb);
      s.heartbeat.unref();
    }
    s.log.info('policy server listening', { url: s.url, models: [...s.models.keys()] });
    return s;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get host(): string {
    const a = (this.http.address() as AddressInfo).address;
    return a.includes(':') ? `[${a}]` : a;
  }

  /** ws:// URL of the default model. */
  get url(): string {
    return `ws://${this.host}:${this.port}`;
  }

  get httpUrl(): string {
    return `http://${this.host}:${this.port}`;
  }

  model(id: string | undefined): ServedModel {
    const m = this.models.get(id ?? this.defaultModel);
    if (!m)
      throw new RobofmError(
        'not_found',
        `model: got ${JSON.stringify(id)}, expected one of ${[...this.models.keys()].join(', ')}`,
        {
          status: 404,
        },
      );
    return m;
  }

  /** Hot reload of one model (with `policy`, or from its loader); connections stay open. */
  async reload(id: string, policy?: Policy): Promise<void> {
    await this.model(id).reload(policy);
  }

  /**
   * Decodes, validates, batches and answers one request frame for `model`. Throws RobofmErrors
   * naming what was wrong; never anything for the server itself.
   */
  async inferFrame(
    model: ServedModel,
    request: unknown,
    prevTotalMs: number | undefined,
  ): Promise<Record<string, unknown>> {
    const { observation } = requestToObservation(request, model.inputSpec());
    const t0 = performance.now();
    const r = await model.infer(observation, this.requestTimeoutMs);
    const reply = chunkToResponse(r.chunk);
    return withServerTiming(reply, {
      infer_ms: performance.now() - t0,
      ...(prevTotalMs === undefined ? {} : { prev_total_ms: prevTotalMs }),
      queue_ms: r.queueMs,
      batch_size: r.batchSize,
    });
  }

  private rejectUpgrade(socket: Duplex, status: number, message: string): void {
    const body = `${message}\n`;
    try {
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : status === 429 ? 'Too Many Requests' : 'Service Unavailable'}\r\n` +
          `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    } catch {
      socket.destroy();
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {}); // a peer that resets mid-handshake must not take us down
    try {
      if (this.closing || this.wss.clients.size >= this.maxConnections) {
        this.rejectUpgrade(socket, 503, 'server is at its connection limit or shutting down');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      let id = url.searchParams.get('model') ?? undefined;
      const m = /^\/v1\/models\/([^/]+)\/ws\/?$/.exec(url.pathname);
      if (m) id = decodeURIComponent(m[1]);
      else if (url.pathname !== '/' && url.pathname !== '' && url.pathname !== '/ws') {
        this.rejectUpgrade(socket, 404, `path: got ${url.pathname}, expected / or /v1/models/{id}/ws`);
        return;
      }
      let model: ServedModel;
      try {
        model = this.model(id);
        this.auth.authenticate(req.headers.authorization);
      } catch (e) {
        const err = e as RobofmError;
        if (err.code === 'unauthenticated') this.metrics.authFailures.inc({ transport: 'ws' });
        this.rejectUpgrade(socket, err.status ?? 400, err.message);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req, model));
    } catch (e) {
      this.log.error('upgrade failed', { err: e });
      socket.destroy();
    }
  }

  private onConnection(ws: WebSocket, req: IncomingMessage, model: ServedModel): void {
    const log = this.log.child({
      peer: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      model: model.id,
    });
    this.metrics.connections.inc({});
    this.metrics.connectionsTotal.inc({});
    log.debug('connection opened');
    const authHeader = req.headers.authorization;
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    let prevTotalMs: number | undefined;
    let queued = 0;
    let chain: Promise<void> = Promise.resolve();
    let failed = false;

    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      const err =
        e instanceof RobofmError
          ? e
          : new RobofmError('internal', String((e as Error)?.message ?? e), { cause: e });
      this.metrics.errors.inc({ code: err.code, transport: 'ws' });
      this.metrics.requests.inc({ model: model.id, transport: 'ws', outcome: 'error' });
      log.warn('request failed; closing connection', { code: err.code, error: err.message });
      try {
        if (ws.readyState === ws.OPEN) {
          ws.send(`${err.code}: ${err.message}`);
          ws.close(CLOSE_INTERNAL, 'Internal server error. Error text in previous frame.');
        }
      } catch {
        ws.terminate();
      }
    };

    const handle = async (data: Buffer, isBinary: boolean): Promise<void> => {
      if (failed || ws.readyState !== ws.OPEN) return;
      const start = performance.now();
      try {
        if (!isBinary)
          throw new RobofmError(
            'invalid_argument',
            'frame: got a text frame, expected a binary msgpack frame',
            { status: 400 },
          );
        this.auth.take(authHeader);
        const request = decodeFrame(data, { maxBytes: this.maxFrameBytes });
        const reply = await this.inferFrame(model, request, prevTotalMs);
        const bytes = encodeFrame(reply);
        if (ws.readyState !== ws.OPEN) return;
        await new Promise<void>((resolve, reject) =>
          ws.send(bytes, { binary: true }, (e) => (e ? reject(e) : resolve())),
        );
        prevTotalMs = performance.now() - start;
        this.metrics.requests.inc({ model: model.id, transport: 'ws', outcome: 'ok' });
        this.metrics.requestDuration.observe({ model: model.id, transport: 'ws' }, prevTotalMs / 1000);
      } catch (e) {
        if ((e as RobofmError)?.code === 'rate_limited') this.metrics.rateLimited.inc({ transport: 'ws' });
        fail(e);
      }
    };

    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data as ArrayBuffer);
      if (++queued > this.maxPipelined) {
        fail(
          new RobofmError(
            'resource_exhausted',
            `pipelined frames: got more than ${this.maxPipelined}, expected one request at a time`,
            { status: 429 },
          ),
        );
        return;
      }
      chain = chain.then(() => handle(buf, isBinary)).finally(() => void queued--);
    });
    ws.on('error', (e) => log.debug('connection error', { err: e }));
    ws.on('close', () => {
      this.metrics.connections.dec({});
      log.debug('connection closed');
    });
    try {
      ws.send(encodeFrame(metadataFrame(model.policy.metadata, { model_version: model.version })), {
        binary: true,
      });
    } catch (e) {
      fail(e);
    }
  }

  /** Stops accepting, closes connections (1001) and disposes the models. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.wss.clients) {
      try {
        c.close(1001, 'server shutting down');
      } catch {
        c.terminate();
      }
    }
    const done = new Promise<void>((r) => this.http.close(() => r()));
    setTimeout(() => {
      for (const c of this.wss.clients) c.terminate();
      this.http.closeAllConnections();
    }, 500).unref();
    this.wss.close();
    await done;
    for (const m of this.models.values()) await m.close();
  }
}

/** Wraps one policy in a server on 127.0.0.1 (free port): what tests and benches use. */
export async function servePolicy(
  policy: Policy,
  opts: Partial<Omit<ServerOptions, 'models'>> & { layouts?: ModelSpec['layouts'] } = {},
): Promise<{ url: string; httpUrl: string; server: PolicyServer; close(): Promise<void> }> {
  const { layouts, ...rest } = opts;
  const server = await PolicyServer.start({ ...rest, models: [{ policy, ...(layouts ? { layouts } : {}) }] });
  return { url: server.url, httpUrl: server.httpUrl, server, close: () => server.close() };
}
