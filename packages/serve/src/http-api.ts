import type { IncomingMessage, ServerResponse } from 'node:http';
import { RobofmError, ValidationError } from '@robofm/core';
import { decodeFrame, encodeFrame, metadataFrame } from '@robofm/protocol';
import { jsonToWire, wireToJson } from './json-wire.ts';
import type { PolicyServer } from './server.ts';
import type { ServedModel } from './served-model.ts';

const MSGPACK_TYPES = ['application/msgpack', 'application/x-msgpack', 'application/vnd.msgpack'];

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(server: PolicyServer, res: ServerResponse, e: unknown, transport: string): void {
  const err =
    e instanceof RobofmError
      ? e
      : new RobofmError('internal', String((e as Error)?.message ?? e), { cause: e });
  server.metrics.errors.inc({ code: err.code, transport });
  if (err.status >= 500) server.log.error('http request failed', { code: err.code, error: err.message });
  const body: Record<string, unknown> = { code: err.code, message: err.message };
  if (err instanceof ValidationError) {
    body.field = err.field;
    body.expected = err.expected;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.code === 'frame_too_large' ? 413 : err.status, { error: body });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(
        new ValidationError('body', `${declared} bytes`, `at most ${limit} bytes`, {
          code: 'frame_too_large',
        }),
      );
      req.resume();
      return;
    }
    const parts: Buffer[] = [];
    let n = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      n += c.length;
      if (n > limit) {
        over = true;
        reject(
          new ValidationError('body', `more than ${limit} bytes`, `at most ${limit} bytes`, {
            code: 'frame_too_large',
          }),
        );
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(parts));
    });
    req.on('error', reject);
  });
}

function modelInfo(m: ServedModel): Record<string, unknown> {
  return {
    id: m.id,
    object: 'model',
    version: m.version,
    loaded_at: m.loadedAt.toISOString(),
    reloadable: m.canReload,
    layouts: m.layouts.map((l) => l.name),
    ...metadataFrame(m.policy.metadata),
  };
}

/**
 * HTTP routes beside the WebSocket:
 * `GET /healthz`, `GET /metrics` (open), and with an API key when keys are configured:
 * `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/models/{id}/infer` (msgpack or JSON body; the
 * reply uses the request's type unless `Accept` names the other), `POST /v1/models/{id}/reload`.
 */
export async function handleHttp(
  server: PolicyServer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  try {
    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
      return;
    }
    if (path === '/metrics' && method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(server.metrics.render());
      return;
    }
    if (path === '/v1/models' && method === 'GET') {
      authOrThrow(server, req);
      sendJson(res, 200, { object: 'list', data: [...server.models.values()].map(modelInfo) });
      return;
    }
    const m = /^\/v1\/models\/([^/]+)(?:\/(infer|reload))?$/.exec(path);
    if (m) {
      const model = server.model(decodeURIComponent(m[1]));
      const action = m[2];
      if (!action && method === 'GET') {
        authOrThrow(server, req);
        sendJson(res, 200, modelInfo(model));
        return;
      }
      if (action === 'reload' && method === 'POST') {
        authOrThrow(server, req);
        await model.reload();
        sendJson(res, 200, modelInfo(model));
        return;
      }
      if (action === 'infer' && method === 'POST') {
        await infer(server, model, req, res);
        return;
      }
      throw new RobofmError('method_not_allowed', `${method} ${path}: expected ${action ? 'POST' : 'GET'}`, {
        status: 405,
      });
    }
    if (path === '/' && method === 'GET') {
      res
        .writeHead(426, { 'content-type': 'text/plain' })
        .end('robofm policy server: connect a WebSocket here, or use /v1/models, /healthz, /metrics\n');
      return;
    }
    throw new RobofmError(
      'not_found',
      `path: got ${method} ${path}, expected /healthz, /metrics or /v1/models/...`,
      {
        status: 404,
      },
    );
  } catch (e) {
    sendError(server, res, e, 'http');
  }
}

function authOrThrow(server: PolicyServer, req: IncomingMessage): void {
  try {
    server.auth.authenticate(req.headers.authorization);
  } catch (e) {
    server.metrics.authFailures.inc({ transport: 'http' });
    throw e;
  }
}

async function infer(
  server: PolicyServer,
  model: ServedModel,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const start = performance.now();
  authOrThrow(server, req);
  try {
    server.auth.take(req.headers.authorization);
  } catch (e) {
    server.metrics.rateLimited.inc({ transport: 'http' });
    throw e;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const isMsgpack = MSGPACK_TYPES.includes(type);
  if (!isMsgpack && type !== 'application/json')
    throw new ValidationError(
      'content-type',
      type || undefined,
      `application/json or ${MSGPACK_TYPES.join(', ')}`,
    );
  const body = await readBody(req, server.maxFrameBytes);
  let request: unknown;
  if (isMsgpack) request = decodeFrame(body, { maxBytes: server.maxFrameBytes });
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new ValidationError('body', `${body.length} bytes`, `valid JSON (${(e as Error).message})`);
    }
    request = jsonToWire(parsed);
  }
  const reply = await server.inferFrame(model, request, undefined);
  const accept = String(req.headers.accept ?? '');
  const replyMsgpack =
    MSGPACK_TYPES.some((t) => accept.includes(t)) || (isMsgpack && !accept.includes('application/json'));
  if (replyMsgpack) {
    const bytes = encodeFrame(reply);
    res.writeHead(200, { 'content-type': 'application/msgpack', 'content-length': bytes.length }).end(bytes);
  } else sendJson(res, 200, wireToJson(reply));
  server.metrics.requests.inc({ model: model.id, transport: 'http', outcome: 'ok' });
  server.metrics.requestDuration.observe(
    { model: model.id, transport: 'http' },
    (performance.now() - start) / 1000,
  );
}
