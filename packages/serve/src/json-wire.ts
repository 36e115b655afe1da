import { ValidationError } from '@robofm/core';
import { F64, NdArray, ndarrayFromWire } from '@robofm/protocol';

const MAX_JSON_DEPTH = 32;

/**
 * JSON bodies for `POST /v1/models/{id}/infer`: the same dict as the msgpack request, with arrays
 * written either as nested number lists (`"state": [0.1, 0.2]`, images as [H][W][3] lists) or as
 * `{"__ndarray__": true, "data": "<base64>", "dtype": "<f4", "shape": [...]}`.
 */
export function jsonToWire(v: unknown, path = '', depth = 0): unknown {
  if (depth > MAX_JSON_DEPTH)
    throw new ValidationError(path || 'body', 'nested value', `at most ${MAX_JSON_DEPTH} levels of nesting`);
  if (Array.isArray(v)) {
    if (v.length > 0 && (typeof v[0] === 'number' || Array.isArray(v[0])))
      return nestedToNdArray(v, path || 'body');
    return v.map((x, i) => jsonToWire(x, `${path}[${i}]`, depth + 1));
  }
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (o.__ndarray__ === true) {
    if (typeof o.data !== 'string') throw new ValidationError(`${path}.data`, o.data, 'base64 text');
    return ndarrayFromWire(path || 'body', Buffer.from(o.data, 'base64'), o.dtype, o.shape);
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    if (k === '__proto__') continue;
    out[k] = jsonToWire(o[k], path ? `${path}.${k}` : k, depth + 1);
  }
  return out;
}

function nestedToNdArray(v: unknown[], path: string): NdArray {
  const shape: number[] = [];
  let cur: unknown = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (shape.length > 8) throw new ValidationError(path, 'nested list', 'at most 8 dimensions');
    cur = cur[0];
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > 1 << 26) throw new ValidationError(path, `${n} numbers`, `at most ${1 << 26}`);
  const flat: number[] = [];
  let allInt = true;
  const walk = (x: unknown, d: number, p: string): void => {
    if (d === shape.length) {
      if (typeof x !== 'number') throw new ValidationError(p, x, 'a number');
      if (!Number.isInteger(x) || Math.abs(x) > 2 ** 31 - 1) allInt = false;
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d])
      throw new ValidationError(
        p,
        x,
        `a list of ${shape[d]} (a rectangular array of shape [${shape.join(', ')}])`,
      );
    for (const [i, y] of x.entries()) walk(y, d + 1, `${p}[${i}]`);
  };
  walk(v, 0, path);
  return allInt ? new NdArray(Int32Array.from(flat), shape) : new NdArray(Float64Array.from(flat), shape);
}

/** A reply dict as JSON-ready values: ndarrays → nested lists, F64 → number. */
export function wireToJson(v: unknown): unknown {
  if (v instanceof F64) return v.value;
  if (v instanceof NdArray) {
    const data = Array.from(v.data as ArrayLike<number | bigint>, (x) =>
      typeof x === 'bigint' ? Number(x) : x,
    );
    if (v.shape.length === 0) return data[0];
    const build = (d: number, off: number): unknown => {
      if (d === v.shape.length - 1) return data.slice(off, off + v.shape[d]);
      const stride = v.shape.slice(d + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: v.shape[d] }, (_, i) => build(d + 1, off + i * stride));
    };
    return build(0, 0);
  }
  if (Array.isArray(v)) return v.map(wireToJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = wireToJson(x);
    return out;
  }
  return v;
}
