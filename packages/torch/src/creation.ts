/** Tensor creation: from data, constant fills, ranges and seeded random numbers. */
import { ValidationError } from '@robofm/core';
import { type Device, type DType, deviceCode, dtypeCode, dtypeOfArray } from './dtype.ts';
import { N } from './native.ts';
import { type Shape, type Tensor, wrap } from './tensor.ts';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

const genRegistry = new FinalizationRegistry<number>((g) => N.generatorFree(g));

/** A seeded random-number generator (CPU Philox/MT as in PyTorch): same seed → same numbers. */
export class Generator {
  /** @internal */
  readonly id: number;
  constructor(seed = 0) {
    checkSeed(seed);
    this.id = N.generatorNew(seed);
    genRegistry.register(this, this.id);
  }
  manualSeed(seed: number): this {
    checkSeed(seed);
    N.generatorSeed(this.id, seed);
    return this;
  }
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new ValidationError('seed', seed, 'a non-negative integer');
}

/** Seeds the default generators (CPU and CUDA). */
export function manualSeed(seed: number): void {
  checkSeed(seed);
  N.manualSeed(seed);
}

type Nested = number | boolean | Nested[];

function flatten(data: Nested[], field: string): { values: number[]; shape: number[]; bool: boolean } {
  const shape: number[] = [];
  let probe: Nested = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: number[] = [];
  let bool = typeof probe === 'boolean';
  const walk = (x: Nested, d: number, path: string) => {
    if (d === shape.length) {
      if (typeof x === 'number') {
        bool = false;
        values.push(x);
      } else if (typeof x === 'boolean') values.push(x ? 1 : 0);
      else throw new ValidationError(`${field}${path}`, x, 'a number or boolean');
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d])
      throw new ValidationError(
        `${field}${path}`,
        x,
        `an array of length ${shape[d]} (ragged nested arrays are not tensors)`,
      );
    for (let i = 0; i < x.length; i++) walk(x[i], d + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return { values, shape, bool };
}

/**
 * A tensor from a TypedArray (copied) or a (nested) number/boolean array. Number arrays default to
 * float32 (as in TensorFlow.js), boolean arrays to bool, TypedArrays to their own dtype
 * (Uint16Array holds raw float16 bits, or bfloat16 when `dtype: 'bfloat16'`).
 */
export function tensor(
  data: ArrayBufferView | Nested[] | number | boolean,
  opts: TensorOptions & { shape?: Shape } = {},
): Tensor {
  let src: ArrayBufferView;
  let srcDtype: DType;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    srcDtype = dtypeOfArray(data, opts.dtype);
    src = data;
    const len =
      data.byteLength /
      (srcDtype === 'float64' || srcDtype === 'int64'
        ? 8
        : srcDtype === 'float32' || srcDtype === 'int32'
          ? 4
          : srcDtype === 'uint8' || srcDtype === 'bool'
            ? 1
            : 2);
    shape = opts.shape ? [...opts.shape] : [len];
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    src = new Float64Array([Number(data)]);
    srcDtype = 'float64';
    shape = opts.shape ? [...opts.shape] : [];
    if (typeof data === 'boolean' && !opts.dtype) opts = { ...opts, dtype: 'bool' };
  } else if (Array.isArray(data)) {
    const f = flatten(data, 'data');
    src = new Float64Array(f.values);
    srcDtype = 'float64';
    shape = opts.shape ? [...opts.shape] : f.shape;
    if (f.bool && f.values.length > 0 && !opts.dtype) opts = { ...opts, dtype: 'bool' };
  } else {
    throw new ValidationError('data', data, 'a TypedArray, a (nested) number array or a number');
  }
  const dst = opts.dtype ?? (ArrayBuffer.isView(data) ? srcDtype : 'float32');
  return wrap(
    N.fromData(
      src,
      shape,
      dtypeCode(srcDtype),
      dtypeCode(dst),
      deviceCode(opts.device),
      opts.requiresGrad ?? false,
    ),
  );
}

function shapeArg(shape: Shape | number, field = 'shape'): number[] {
  if (typeof shape === 'number') return [shape];
  if (!Array.isArray(shape)) throw new ValidationError(field, shape, 'an array of non-negative integers');
  return shape as number[];
}

export function zeros(shape: Shape | number, opts: TensorOptions = {}): Tensor {
  return wrap(
    N.zeros(shapeArg(shape), dtypeCode(opts.dtype), deviceCode(opts.device), opts.requiresGrad ?? false),
  );
}

export function ones(shape: Shape | number, opts: TensorOptions = {}): Tensor {
  return wrap(
    N.ones(shapeArg(shape), dtypeCode(opts.dtype), deviceCode(opts.device), opts.requiresGrad ?? false),
  );
}

export function full(shape: Shape | number, value: number | boolean, opts: TensorOptions = {}): Tensor {
  const fallback = typeof value === 'boolean' ? 7 : 0;
  return wrap(
    N.full(
      shapeArg(shape),
      value,
      dtypeCode(opts.dtype, 'dtype', fallback),
      deviceCode(opts.device),
      opts.requiresGrad ?? false,
    ),
  );
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, {
    dtype: opts.dtype ?? t.dtype,
    device: opts.device ?? t.device,
    requiresGrad: opts.requiresGrad,
  });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(t.shape, {
    dtype: opts.dtype ?? t.dtype,
    device: opts.device ?? t.device,
    requiresGrad: opts.requiresGrad,
  });
}

export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: opts.dtype ?? t.dtype, device: opts.device ?? t.device });
}

/**
 * Values start, start+step, ... < end. `arange(5)` = 0..4. Integer arguments give int64 unless a
 * dtype is given (as in PyTorch); otherwise float32.
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  return wrap(
    N.arange(start, end, step, dtypeCode(opts.dtype, 'dtype', allInt ? 5 : 0), deviceCode(opts.device)),
  );
}

export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  return wrap(N.linspace(start, end, steps, dtypeCode(opts.dtype), deviceCode(opts.device)));
}

export function eye(n: number, m?: number, opts: TensorOptions = {}): Tensor {
  return wrap(N.eye(n, m ?? n, dtypeCode(opts.dtype), deviceCode(opts.device)));
}

/** Standard normal samples. */
export function randn(shape: Shape | number, opts: RandomOptions = {}): Tensor {
  return wrap(
    N.randn(
      shapeArg(shape),
      opts.generator?.id ?? -1,
      dtypeCode(opts.dtype),
      deviceCode(opts.device),
      opts.requiresGrad ?? false,
    ),
  );
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape | number, opts: RandomOptions = {}): Tensor {
  return wrap(
    N.rand(
      shapeArg(shape),
      opts.generator?.id ?? -1,
      dtypeCode(opts.dtype),
      deviceCode(opts.device),
      opts.requiresGrad ?? false,
    ),
  );
}

/** Integers in [low, high); int64 unless a dtype is given. */
export function randint(low: number, high: number, shape: Shape | number, opts: RandomOptions = {}): Tensor {
  return wrap(
    N.randint(
      low,
      high,
      shapeArg(shape),
      opts.generator?.id ?? -1,
      dtypeCode(opts.dtype, 'dtype', 5),
      deviceCode(opts.device),
    ),
  );
}

/** Samples `n` category indices per row of `probs` (non-negative weights). */
export function multinomial(probs: Tensor, n: number, replacement = false, generator?: Generator): Tensor {
  return wrap(N.multinomial(probs.id, n, replacement, generator?.id ?? -1));
}

/** Uninitialised memory (fill it before reading). */
export function empty(shape: Shape | number, opts: TensorOptions = {}): Tensor {
  return wrap(N.empty(shapeArg(shape), dtypeCode(opts.dtype), deviceCode(opts.device)));
}
