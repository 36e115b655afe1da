import { ValidationError } from '@robofm/core';

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** numpy dtype kinds robofm reads and writes (little-endian `dtype.str` spelling, as numpy writes it). */
export type Dtype = '|u1' | '|i1' | '|b1' | '<u2' | '<i2' | '<u4' | '<i4' | '<u8' | '<i8' | '<f4' | '<f8';

interface DtypeInfo {
  itemsize: number;
  ctor: { new (buf: ArrayBuffer): TypedArray; new (n: number): TypedArray };
}

const DTYPES: Record<Dtype, DtypeInfo> = {
  '|u1': { itemsize: 1, ctor: Uint8Array },
  '|i1': { itemsize: 1, ctor: Int8Array },
  '|b1': { itemsize: 1, ctor: Uint8Array },
  '<u2': { itemsize: 2, ctor: Uint16Array },
  '<i2': { itemsize: 2, ctor: Int16Array },
  '<u4': { itemsize: 4, ctor: Uint32Array },
  '<i4': { itemsize: 4, ctor: Int32Array },
  '<u8': { itemsize: 8, ctor: BigUint64Array },
  '<i8': { itemsize: 8, ctor: BigInt64Array },
  '<f4': { itemsize: 4, ctor: Float32Array },
  '<f8': { itemsize: 8, ctor: Float64Array },
};

export const SUPPORTED_DTYPES = [...Object.keys(DTYPES), '<f2', 'big-endian (>) forms'] as const;

/** Upper bound on elements in one decoded array (guards `shape` against absurd products). */
export const MAX_NDARRAY_ELEMENTS = 1 << 28;

/**
 * A numpy-compatible n-dimensional array as it travels on the wire. `data` is row-major (C order),
 * owned by this object (decoding always copies out of the frame). `dtype` is numpy's `dtype.str`.
 */
export class NdArray<T extends TypedArray = TypedArray> {
  readonly data: T;
  readonly dtype: Dtype;
  readonly shape: number[];

  constructor(data: T, shape: number[], dtype?: Dtype) {
    this.data = data;
    this.shape = shape;
    this.dtype = dtype ?? dtypeOf(data);
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length)
      throw new ValidationError(
        'ndarray.shape',
        `[${shape.join(', ')}]`,
        `a shape with ${data.length} elements`,
      );
  }

  get size(): number {
    return this.data.length;
  }
}

/** A numpy scalar (`np.float32(1.5)`), written as openpi's `__npgeneric__` map. */
export class NpScalar {
  constructor(
    readonly value: number | bigint | boolean | string,
    readonly dtype: string,
  ) {}
}

/** Forces a JS number to be written as a msgpack float64 even when it is integral (Python `float`). */
export class F64 {
  constructor(readonly value: number) {}
}

export function dtypeOf(data: TypedArray): Dtype {
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof BigUint64Array) return '<u8';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  throw new ValidationError('ndarray.data', data, 'a typed array');
}

export function dtypeItemsize(dtype: Dtype): number {
  return DTYPES[dtype].itemsize;
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
const LE = isLittleEndianHost();

/** Little-endian bytes of an array's data (a view when possible). */
export function ndarrayBytes(arr: NdArray): Uint8Array {
  const d = arr.data;
  if (!LE) throw new Error('big-endian hosts are not supported');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Builds an NdArray from the wire fields `data`, `dtype`, `shape`; copies the bytes. Big-endian
 * dtypes are byte-swapped, `<f2` is widened to `<f4`. `field` names the array in errors.
 */
export function ndarrayFromWire(field: string, data: unknown, dtype: unknown, shape: unknown): NdArray {
  if (!(data instanceof Uint8Array)) throw new ValidationError(`${field}.data`, data, 'a byte string (bin)');
  if (typeof dtype !== 'string')
    throw new ValidationError(`${field}.dtype`, dtype, "a numpy dtype string like '<f4'");
  if (!Array.isArray(shape))
    throw new ValidationError(`${field}.shape`, shape, 'an array of non-negative integers');
  let n = 1;
  for (const [i, s] of shape.entries()) {
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0)
      throw new ValidationError(`${field}.shape[${i}]`, s, 'a non-negative integer');
    n *= s;
  }
  if (n > MAX_NDARRAY_ELEMENTS)
    throw new ValidationError(
      `${field}.shape`,
      `[${shape.join(', ')}]`,
      `at most ${MAX_NDARRAY_ELEMENTS} elements`,
    );
  const order = dtype[0] === '=' ? '<' : dtype[0];
  const body = dtype.slice(1);
  const single = body === 'u1' || body === 'i1' || body === 'b1';
  if (!(order === '<' || order === '>' || (order === '|' && single)))
    throw new ValidationError(`${field}.dtype`, dtype, `one of ${SUPPORTED_DTYPES.join(', ')}`);
  if (body === 'f2') {
    if (data.byteLength !== n * 2)
      throw new ValidationError(
        `${field}.data`,
        `${data.byteLength} bytes`,
        `${n * 2} bytes for shape [${shape}] of ${dtype}`,
      );
    const out = new Float32Array(n);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, order === '<'));
    return new NdArray(out, shape as number[], '<f4');
  }
  const key = (single ? `|${body}` : `<${body}`) as Dtype;
  const info = DTYPES[key];
  if (!info) throw new ValidationError(`${field}.dtype`, dtype, `one of ${SUPPORTED_DTYPES.join(', ')}`);
  if (data.byteLength !== n * info.itemsize)
    throw new ValidationError(
      `${field}.data`,
      `${data.byteLength} bytes`,
      `${n * info.itemsize} bytes for shape [${shape.join(', ')}] of ${dtype}`,
    );
  const buf = new ArrayBuffer(data.byteLength);
  const bytes = new Uint8Array(buf);
  bytes.set(data);
  if (order === '>' && info.itemsize > 1) {
    const k = info.itemsize;
    for (let i = 0; i < bytes.length; i += k) bytes.subarray(i, i + k).reverse();
  }
  return new NdArray(new info.ctor(buf), shape as number[], key);
}

/** Element `i` of any NdArray as a JS number (bigints are converted). */
export function elementAsNumber(arr: NdArray, i: number): number {
  const v = arr.data[i];
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Any numeric NdArray as a new Float32Array (C order). */
export function toFloat32(arr: NdArray): Float32Array {
  if (arr.data instanceof Float32Array) return arr.data.slice();
  const out = new Float32Array(arr.size);
  for (let i = 0; i < out.length; i++) out[i] = elementAsNumber(arr, i);
  return out;
}
