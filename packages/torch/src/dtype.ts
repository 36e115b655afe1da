import { ValidationError } from '@robofm/core';

export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int32' | 'int64' | 'uint8' | 'bool';
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

/** Index = native dtype code. */
export const DTYPES: readonly DType[] = [
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int32',
  'int64',
  'uint8',
  'bool',
];
const DTYPE_CODE: Record<string, number> = Object.fromEntries(DTYPES.map((d, i) => [d, i]));

export const ITEM_SIZE: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  bool: 1,
};

export function dtypeCode(d: DType | undefined, field = 'dtype', fallback = 0): number {
  if (d === undefined) return fallback;
  const c = DTYPE_CODE[d];
  if (c === undefined) throw new ValidationError(field, d, `one of ${DTYPES.join(', ')}`);
  return c;
}

export function deviceCode(d: Device | undefined, field = 'device'): number {
  if (d === undefined || d === 'cpu') return -1;
  if (d === 'cuda') return 0;
  const m = typeof d === 'string' ? /^cuda:(\d+)$/.exec(d) : null;
  if (!m) throw new ValidationError(field, d, "'cpu', 'cuda' or 'cuda:<index>'");
  return Number(m[1]);
}

export function deviceName(code: number): Device {
  if (code === -1) return 'cpu';
  return code === 0 ? 'cuda' : `cuda:${code}`;
}

export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Int8Array
  | Int16Array
  | Uint32Array;

/** The dtype a TypedArray holds natively (Uint16Array: raw float16 bits unless told bfloat16). */
export function dtypeOfArray(a: ArrayBufferView, hint?: DType): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return hint === 'bool' ? 'bool' : 'uint8';
  if (a instanceof Uint16Array) return hint === 'bfloat16' ? 'bfloat16' : 'float16';
  throw new ValidationError(
    'data',
    a,
    'Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Uint16Array (float16/bfloat16 bits) or a number array',
  );
}

/** Wraps raw bytes as the TypedArray for a dtype (a view, no copy). */
export function typedArrayFor(d: DType, buf: ArrayBuffer): TypedArray {
  switch (d) {
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'int64':
      return new BigInt64Array(buf);
    default:
      return new Uint8Array(buf);
  }
}
