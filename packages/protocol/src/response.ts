import { type ActionChunk, type PolicyMetadata, ValidationError } from '@robofm/core';
import { F64, NdArray, toFloat32 } from './ndarray.ts';

/** openpi's server_timing: time in the policy for this request and the previous request's total. */
export interface ServerTiming {
  infer_ms: number;
  prev_total_ms?: number;
  /** robofm extras: time queued for a batch, and the batch size this request rode in. */
  queue_ms?: number;
  batch_size?: number;
}

/**
 * The reply dict for one chunk, as openpi's server sends it: `actions` <f4 [H, D],
 * `policy_timing` {infer_ms, ...} (+ robofm's `subtask` when the policy has one). The server adds
 * `server_timing` (see `withServerTiming`).
 */
export function chunkToResponse(chunk: ActionChunk): Record<string, unknown> {
  const policyTiming: Record<string, F64> = {};
  for (const [k, v] of Object.entries(chunk.timing))
    policyTiming[k === 'inferMs' ? 'infer_ms' : k] = new F64(v);
  const out: Record<string, unknown> = {
    actions: new NdArray(chunk.actions, [chunk.horizon, chunk.actionDim]),
    policy_timing: policyTiming,
  };
  if (chunk.subtask !== undefined) out.subtask = chunk.subtask;
  return out;
}

/** Adds openpi's `server_timing` to a reply (floats on the wire, as Python writes them). */
export function withServerTiming(resp: Record<string, unknown>, t: ServerTiming): Record<string, unknown> {
  const st: Record<string, F64 | number> = { infer_ms: new F64(t.infer_ms) };
  if (t.prev_total_ms !== undefined) st.prev_total_ms = new F64(t.prev_total_ms);
  if (t.queue_ms !== undefined) st.queue_ms = new F64(t.queue_ms);
  if (t.batch_size !== undefined) st.batch_size = t.batch_size;
  resp.server_timing = st;
  return resp;
}

function num(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(field, v, 'a finite number');
  return v;
}

/**
 * Reads a decoded reply into an ActionChunk (client side). `actions` may be any float/int dtype of
 * shape [H, D]; timing becomes `inferMs` (policy_timing.infer_ms), `serverMs` (server_timing.infer_ms),
 * `prevTotalMs`, `queueMs` when present.
 */
export function responseToChunk(resp: unknown, expectActionDim?: number): ActionChunk {
  if (resp === null || typeof resp !== 'object' || Array.isArray(resp))
    throw new ValidationError('response', resp, 'a map with actions');
  const r = resp as Record<string, unknown>;
  const a = r.actions;
  if (!(a instanceof NdArray) || a.shape.length !== 2)
    throw new ValidationError(
      'actions',
      a instanceof NdArray ? `shape [${a.shape}]` : a,
      'an ndarray of shape [H, D]',
    );
  if (expectActionDim !== undefined && a.shape[1] !== expectActionDim)
    throw new ValidationError('actions.shape', `[${a.shape.join(', ')}]`, `[H, ${expectActionDim}]`);
  const actions = toFloat32(a);
  for (let i = 0; i < actions.length; i++)
    if (!Number.isFinite(actions[i]))
      throw new ValidationError(`actions[${i}]`, actions[i], 'a finite number');
  const pt = (r.policy_timing ?? {}) as Record<string, unknown>;
  const st = (r.server_timing ?? {}) as Record<string, unknown>;
  const timing: ActionChunk['timing'] = {
    inferMs: pt.infer_ms === undefined ? 0 : num('policy_timing.infer_ms', pt.infer_ms),
  };
  if (st.infer_ms !== undefined) timing.serverMs = num('server_timing.infer_ms', st.infer_ms);
  if (st.prev_total_ms !== undefined)
    timing.prevTotalMs = num('server_timing.prev_total_ms', st.prev_total_ms);
  if (st.queue_ms !== undefined) timing.queueMs = num('server_timing.queue_ms', st.queue_ms);
  const chunk: ActionChunk = { actions, horizon: a.shape[0], actionDim: a.shape[1], timing };
  if (typeof r.subtask === 'string') chunk.subtask = r.subtask;
  return chunk;
}

/** Wire protocol name and version, sent in the metadata frame. */
export const PROTOCOL_VERSION = 'robofm-ws/1';

/**
 * The metadata frame a server sends on connect (openpi sends its policy metadata dict here; clients
 * treat it as opaque). snake_case keys for Python clients.
 */
export function metadataFrame(
  meta: PolicyMetadata,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const embodiments: Record<string, unknown> = {};
  for (const [name, e] of Object.entries(meta.embodiments)) {
    embodiments[name] = {
      state_dim: e.stateDim,
      action_dim: e.actionDim,
      control_hz: e.controlHz,
      cameras: e.cameras.map((c) => ({ name: c.name, width: c.width, height: c.height })),
    };
  }
  return {
    protocol: PROTOCOL_VERSION,
    model: meta.id,
    action_horizon: meta.actionHorizon,
    embodiments,
    ...extra,
  };
}

/** Parses a metadata frame back into PolicyMetadata (client side); names the bad field. */
export function parseMetadataFrame(frame: unknown): PolicyMetadata {
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame))
    throw new ValidationError('metadata', frame, 'a map');
  const f = frame as Record<string, unknown>;
  if (typeof f.model !== 'string') throw new ValidationError('metadata.model', f.model, 'a string model id');
  const H = f.action_horizon;
  if (typeof H !== 'number' || !Number.isInteger(H) || H < 1)
    throw new ValidationError('metadata.action_horizon', H, 'a positive integer');
  const embs = f.embodiments;
  if (embs === null || typeof embs !== 'object')
    throw new ValidationError('metadata.embodiments', embs, 'a map');
  const out: PolicyMetadata = { id: f.model, actionHorizon: H, embodiments: {} };
  for (const [name, raw] of Object.entries(embs as Record<string, unknown>)) {
    const e = (raw ?? {}) as Record<string, unknown>;
    const field = `metadata.embodiments.${name}`;
    const int = (k: string) => {
      const v = e[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new ValidationError(`${field}.${k}`, v, 'a non-negative integer');
      return v;
    };
    if (!Array.isArray(e.cameras)) throw new ValidationError(`${field}.cameras`, e.cameras, 'an array');
    out.embodiments[name] = {
      stateDim: int('state_dim'),
      actionDim: int('action_dim'),
      controlHz: num(`${field}.control_hz`, e.control_hz),
      cameras: e.cameras.map((c: unknown, i: number) => {
        const cc = (c ?? {}) as Record<string, unknown>;
        if (typeof cc.name !== 'string')
          throw new ValidationError(`${field}.cameras[${i}].name`, cc.name, 'a string');
        return {
          name: cc.name,
          width: num(`${field}.cameras[${i}].width`, cc.width),
          height: num(`${field}.cameras[${i}].height`, cc.height),
        };
      }),
    };
  }
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f))
    if (!['model', 'action_horizon', 'embodiments'].includes(k)) extra[k] = v;
  out.extra = extra;
  return out;
}
