import { Decoder } from '@msgpack/msgpack';
import { RobofmError, ValidationError } from '@robofm/core';
import {
  F64,
  NdArray,
  NpScalar,
  type TypedArray,
  dtypeOf,
  ndarrayBytes,
  ndarrayFromWire,
} from './ndarray.ts';

/**
 * msgpack frames with openpi's numpy extension (openpi_client/msgpack_numpy.py):
 * - an ndarray is a map with byte-string (bin) keys, in this order:
 *   `{b"__ndarray__": true, b"data": <bin>, b"dtype": <str '<f4'>, b"shape": <array of int>}`;
 * - a numpy scalar is `{b"__npgeneric__": true, b"data": <item>, b"dtype": <str>}`;
 * - everything else as Python's `msgpack.Packer()` writes it (use_bin_type: bytes → bin, str → str,
 *   smallest int encoding, floats as float64).
 *
 * Decoding uses @msgpack/msgpack with limits. Encoding is a small writer here: @msgpack/msgpack
 * writes map keys only as strings, and openpi's ndarray maps need bin keys to match byte for byte.
 */

/** Default frame limit (bytes): 4 images of 1080p HWC uint8 with room to spare. */
export const DEFAULT_MAX_FRAME_BYTES = 32 * 1024 * 1024;
/** Deepest nesting accepted in a decoded frame. */
export const MAX_DEPTH = 32;

const TEXT = new TextEncoder();
const K_NDARRAY = TEXT.encode('__ndarray__');
const K_NPGENERIC = TEXT.encode('__npgeneric__');
const K_DATA = TEXT.encode('data');
const K_DTYPE = TEXT.encode('dtype');
const K_SHAPE = TEXT.encode('shape');

class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  head(tag: number, v: number, bytes: 1 | 2 | 4): void {
    this.ensure(1 + bytes);
    this.buf[this.pos++] = tag;
    if (bytes === 1) this.view.setUint8(this.pos, v);
    else if (bytes === 2) this.view.setUint16(this.pos, v);
    else this.view.setUint32(this.pos, v);
    this.pos += bytes;
  }
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  f64(v: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xcb;
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }
  int(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 0x80) {
      this.u8(v);
      return;
    }
    if (typeof v === 'number' && v < 0 && v >= -0x20) {
      this.u8(v & 0xff);
      return;
    }
    const b = BigInt(v);
    if (b >= 0n) {
      if (b <= 0xffn) {
        this.head(0xcc, Number(b), 1);
        return;
      }
      if (b <= 0xffffn) {
        this.head(0xcd, Number(b), 2);
        return;
      }
      if (b <= 0xffffffffn) {
        this.head(0xce, Number(b), 4);
        return;
      }
      if (b > 0xffffffffffffffffn) throw new ValidationError('frame', v, 'an integer below 2^64');
      this.ensure(9);
      this.buf[this.pos++] = 0xcf;
      this.view.setBigUint64(this.pos, b);
      this.pos += 8;
      return;
    }
    this.ensure(9);
    if (b >= -0x80n) {
      this.buf[this.pos++] = 0xd0;
      this.view.setInt8(this.pos, Number(b));
      this.pos += 1;
    } else if (b >= -0x8000n) {
      this.buf[this.pos++] = 0xd1;
      this.view.setInt16(this.pos, Number(b));
      this.pos += 2;
    } else if (b >= -0x80000000n) {
      this.buf[this.pos++] = 0xd2;
      this.view.setInt32(this.pos, Number(b));
      this.pos += 4;
    } else if (b >= -(2n ** 63n)) {
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, b);
      this.pos += 8;
    } else throw new ValidationError('frame', v, 'an integer at or above -2^63');
  }
  str(s: string): void {
    const b = TEXT.encode(s);
    const n = b.length;
    if (n < 32) this.u8(0xa0 | n);
    else if (n < 0x100) this.head(0xd9, n, 1);
    else if (n < 0x10000) this.head(0xda, n, 2);
    else this.head(0xdb, n, 4);
    this.raw(b);
  }
  bin(b: Uint8Array): void {
    const n = b.length;
    if (n < 0x100) this.head(0xc4, n, 1);
    else if (n < 0x10000) this.head(0xc5, n, 2);
    else this.head(0xc6, n, 4);
    this.raw(b);
  }
  arrayHead(n: number): void {
    if (n < 16) this.u8(0x90 | n);
    else if (n < 0x10000) this.head(0xdc, n, 2);
    else this.head(0xdd, n, 4);
  }
  mapHead(n: number): void {
    if (n < 16) this.u8(0x80 | n);
    else if (n < 0x10000) this.head(0xde, n, 2);
    else this.head(0xdf, n, 4);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function encodeValue(w: Writer, v: unknown, depth: number, path: string): void {
  if (depth > MAX_DEPTH)
    throw new ValidationError(path, 'nested value', `at most ${MAX_DEPTH} levels of nesting`);
  if (v === null || v === undefined) {
    w.u8(0xc0);
    return;
  }
  if (typeof v === 'boolean') {
    w.u8(v ? 0xc3 : 0xc2);
    return;
  }
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) w.int(v);
    else w.f64(v);
    return;
  }
  if (typeof v === 'bigint') {
    w.int(v);
    return;
  }
  if (typeof v === 'string') {
    w.str(v);
    return;
  }
  if (v instanceof F64) {
    w.f64(v.value);
    return;
  }
  if (v instanceof NdArray) {
    w.mapHead(4);
    w.bin(K_NDARRAY);
    w.u8(0xc3);
    w.bin(K_DATA);
    w.bin(ndarrayBytes(v));
    w.bin(K_DTYPE);
    w.str(v.dtype);
    w.bin(K_SHAPE);
    w.arrayHead(v.shape.length);
    for (const s of v.shape) w.int(s);
    return;
  }
  if (v instanceof NpScalar) {
    w.mapHead(3);
    w.bin(K_NPGENERIC);
    w.u8(0xc3);
    w.bin(K_DATA);
    if (typeof v.value === 'number' && v.dtype.includes('f')) w.f64(v.value);
    else encodeValue(w, v.value, depth + 1, `${path}.data`);
    w.bin(K_DTYPE);
    w.str(v.dtype);
    return;
  }
  if (v instanceof Uint8Array) {
    w.bin(v);
    return;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    // Other typed arrays travel as 1-D ndarrays (what numpy would send for them).
    const data = v as TypedArray;
    encodeValue(w, new NdArray(data, [data.length], dtypeOf(data)), depth, path);
    return;
  }
  if (Array.isArray(v)) {
    w.arrayHead(v.length);
    for (const [i, x] of v.entries()) encodeValue(w, x, depth + 1, `${path}[${i}]`);
    return;
  }
  if (v instanceof Map) {
    w.mapHead(v.size);
    for (const [k, x] of v) {
      encodeValue(w, k, depth + 1, `${path}.<key>`);
      encodeValue(w, x, depth + 1, `${path}.${String(k)}`);
    }
    return;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    w.mapHead(entries.length);
    for (const [k, x] of entries) {
      w.str(k);
      encodeValue(w, x, depth + 1, path ? `${path}.${k}` : k);
    }
    return;
  }
  throw new ValidationError(path || 'frame', v, 'a msgpack-encodable value (no functions or symbols)');
}

/** Encodes one frame exactly as openpi's `msgpack_numpy.Packer().pack` would for the same data. */
export function encodeFrame(value: unknown): Uint8Array {
  const w = new Writer();
  encodeValue(w, value, 0, '');
  return w.result();
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function makeDecoder(maxBytes: number): Decoder {
  return new Decoder({
    maxStrLength: maxBytes,
    maxBinLength: maxBytes,
    maxArrayLength: Math.min(maxBytes, 1 << 24),
    maxMapLength: Math.min(maxBytes, 1 << 20),
    maxExtLength: maxBytes,
    useBigInt64: false,
    mapKeyConverter: (key: unknown): string | number => {
      let k: string | number;
      if (typeof key === 'string' || typeof key === 'number') k = key;
      else if (key instanceof Uint8Array) {
        try {
          k = UTF8.decode(key);
        } catch {
          throw new ValidationError('frame.<key>', key, 'a UTF-8 map key');
        }
      } else throw new ValidationError('frame.<key>', key, 'a map key that is a string, bytes or number');
      if (k === '__proto__') throw new ValidationError('frame.<key>', k, 'a key other than __proto__');
      return k;
    },
  });
}

export interface DecodeOptions {
  /** Reject frames larger than this (bytes). */
  maxBytes?: number;
}

/**
 * Decodes one frame: msgpack → plain JS values; openpi ndarray maps become `NdArray`, numpy scalars
 * their plain value (number, string, boolean). Throws a ValidationError (code `invalid_frame` for
 * undecodable bytes) naming what was wrong; never anything else for any input bytes.
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!(bytes instanceof Uint8Array)) throw new ValidationError('frame', bytes, 'binary msgpack bytes');
  if (bytes.byteLength > maxBytes)
    throw new ValidationError('frame', `${bytes.byteLength} bytes`, `at most ${maxBytes} bytes`, {
      code: 'frame_too_large',
    });
  let raw: unknown;
  try {
    raw = makeDecoder(maxBytes).decode(bytes);
  } catch (e) {
    if (e instanceof RobofmError) throw e;
    throw new ValidationError(
      'frame',
      `${bytes.byteLength} bytes`,
      `one valid msgpack value (${(e as Error).message})`,
      {
        code: 'invalid_frame',
        cause: e,
      },
    );
  }
  return fromWire(raw, '', 0);
}

function fromWire(v: unknown, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH)
    throw new ValidationError(path || 'frame', 'nested value', `at most ${MAX_DEPTH} levels of nesting`, {
      code: 'invalid_frame',
    });
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map((x, i) => fromWire(x, `${path}[${i}]`, depth + 1));
  if (!isPlainRecord(v)) return v; // ExtData and other decoder objects pass through untouched
  const o = v as Record<string, unknown>;
  const where = path || 'frame';
  if (Object.hasOwn(o, '__ndarray__')) return ndarrayFromWire(where, o.data, o.dtype, o.shape);
  if (Object.hasOwn(o, '__npgeneric__')) {
    const d = o.data;
    if (typeof d !== 'number' && typeof d !== 'boolean' && typeof d !== 'string' && typeof d !== 'bigint')
      throw new ValidationError(`${where}.data`, d, 'a scalar (number, bool or string)');
    return d;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = fromWire(o[k], path ? `${path}.${k}` : k, depth + 1);
  return out;
}

function isPlainRecord(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
