/**
 * `Tensor`: a thin JS object over a native handle. The tensor's memory belongs to the native handle
 * table; it is freed by `dispose()`, by the enclosing `scope()` ending, or (safety net only) by the
 * garbage collector. Shapes/dtypes are read once and cached (a handle's metadata never changes).
 */
import { ValidationError } from '@robofm/core';
import {
  type Device,
  type DType,
  DTYPES,
  deviceCode,
  deviceName,
  dtypeCode,
  isFloating,
  type TypedArray,
  typedArrayFor,
} from './dtype.ts';
import { TorchError } from './errors.ts';
import { BINARY, type Handle, N, REDUCE, UNARY } from './native.ts';

// Disposed handles are queued here and released by the addon at the start of its next call (slot 0
// holds the count), so dispose() costs no N-API call.
const FREE_QUEUE = new Float64Array(1024);
N.init(TorchError, FREE_QUEUE.buffer);

/** @internal Releases a handle (at the next native call). */
export function queueFree(h: Handle): void {
  let n = FREE_QUEUE[0] + 1;
  if (n >= FREE_QUEUE.length) {
    N.flush(); // drains the queue
    n = 1;
  }
  FREE_QUEUE[n] = h;
  FREE_QUEUE[0] = n;
}

// ---- ownership: the current scope's list, or the GC safety net at top level ----------------------
let currentScope: Tensor[] | null = null;
let gcFreed = 0;
const registry = new FinalizationRegistry<Handle>((h) => {
  if (N.dispose(h)) gcFreed++;
});

/** @internal */
export function getCurrentScope(): Tensor[] | null {
  return currentScope;
}
/** @internal */
export function setCurrentScope(s: Tensor[] | null): void {
  currentScope = s;
}
/** @internal Tensors freed by the garbage collector instead of dispose()/scope (leak indicator). */
export function gcFreedCount(): number {
  return gcFreed;
}
// Top-level tensors reach the GC safety net in batches: most are disposed before the batch is swept,
// which keeps FinalizationRegistry.register (the dominant per-op cost) off the hot path.
let pending: Tensor[] = [];
let sweepScheduled = false;
function sweep(): void {
  sweepScheduled = false;
  const batch = pending;
  pending = [];
  for (let i = 0; i < batch.length; i++) {
    const t = batch[i];
    if (t.id >= 0) registry.register(t, t.id);
  }
}
function toSafetyNet(t: Tensor): void {
  pending.push(t);
  if (pending.length >= 4096) sweep();
  else if (!sweepScheduled) {
    sweepScheduled = true;
    setImmediate(sweep);
  }
}

/** @internal Give a tensor to the enclosing scope, or to the GC safety net at top level. */
export function adopt(t: Tensor, scope: Tensor[] | null): void {
  if (scope) scope.push(t);
  else toSafetyNet(t);
}

/** Wraps a fresh native handle; the tensor belongs to the current scope. */
export function wrap(h: Handle): Tensor {
  const t = new Tensor(h);
  if (currentScope !== null) currentScope.push(t);
  else toSafetyNet(t);
  return t;
}

function wrapMany(hs: Handle[]): Tensor[] {
  return hs.map(wrap);
}

export type Shape = readonly number[];
type ShapeArgs = number[] | [Shape];

function shapeOf(args: ShapeArgs): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as Shape)] : (args as number[]);
}

function dimsArg(dim: number | readonly number[] | undefined): number[] | number | null {
  return dim === undefined ? null : (dim as number[] | number);
}

export class Tensor {
  /** Native handle; -1 once disposed. */
  id: Handle;
  /** Marks nn parameters (set by nn.Module helpers). */
  isParameter: boolean;
  /** Kept tensors are never disposed by a scope (see `keep`). */
  kept: boolean;
  private _shape: number[] | undefined;
  private _dtype: DType | undefined;

  /** @internal Use the creation functions (`tensor`, `zeros`, ...). */
  constructor(id: Handle) {
    this.id = id;
    this.isParameter = false;
    this.kept = false;
    this._shape = undefined;
    this._dtype = undefined;
  }

  // ---- metadata ----------------------------------------------------------------------------------
  /** Shape (a fresh copy of the cached array each call is not made: do not mutate). */
  get shape(): number[] {
    if (this._shape === undefined) this._shape = N.shape(this.id);
    return this._shape;
  }
  get dtype(): DType {
    if (this._dtype === undefined) this._dtype = DTYPES[N.dtype(this.id)];
    return this._dtype;
  }
  get device(): Device {
    return deviceName(N.device(this.id));
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    let n = 1;
    for (const s of this.shape) n *= s;
    return n;
  }
  /** Size of one dim (negative dims count from the end). */
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length)
      throw new TorchError('index_out_of_range', 'size', `dim ${dim} out of range for ${s.length}-D tensor`);
    return s[d];
  }
  get isDisposed(): boolean {
    return this.id < 0 || !N.isLive(this.id);
  }

  // ---- lifetime ------------------------------------------------------------------------------------
  /** Frees the native tensor now (idempotent). Autograd graphs that saved it keep their own reference. */
  dispose(): void {
    if (this.id >= 0) {
      queueFree(this.id);
      this.id = -1;
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- data (all copies) ---------------------------------------------------------------------------
  /** The single value as a JS number (bool → 0/1, int64 rounded to a double). */
  item(): number {
    return N.item(this.id);
  }
  /**
   * A copy of the data as the TypedArray of the dtype (row-major): Float32Array, Float64Array,
   * Int32Array, BigInt64Array (int64), Uint8Array (uint8 and bool), Uint16Array (raw float16/bfloat16 bits).
   */
  toArray(): TypedArray {
    return typedArrayFor(this.dtype, N.toBuffer(this.id));
  }
  /** A copy of the data as plain JS numbers (row-major; int64 rounded to doubles, bool as 0/1). */
  toNumberArray(): number[] {
    const a = this.dtype === 'float16' || this.dtype === 'bfloat16' ? this.toFloat32Array() : this.toArray();
    return Array.from(a as ArrayLike<number | bigint>, Number);
  }
  /** A copy of the data cast to float32. */
  toFloat32Array(): Float32Array {
    if (this.dtype === 'float32') return new Float32Array(N.toBuffer(this.id));
    const h = N.to(this.id, 0, -2, false);
    try {
      return new Float32Array(N.toBuffer(h));
    } finally {
      N.dispose(h);
    }
  }
  /** A copy as a nested JS array of numbers (bigint for int64 is converted to number). */
  tolist(): unknown {
    const flat = Array.from(this.toArray() as ArrayLike<number | bigint>, Number);
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    const build = (d: number, off: number): unknown[] => {
      const n = shape[d];
      const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++)
        out.push(d === shape.length - 1 ? flat[off + i] : build(d + 1, off + i * stride));
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    const head = `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ', requiresGrad' : ''})`;
    const n = this.numel();
    const fmt = (v: number) =>
      isFloating(this.dtype) ? (Number.isInteger(v) ? v.toFixed(1) : v.toPrecision(5)) : String(v);
    if (n > 64) {
      const first = new Float32Array(6);
      const h = N.reshape(this.id, [-1]);
      const f = N.slice(h, 0, 0, 6, 1);
      const g = N.to(f, 0, -1, false);
      first.set(new Float32Array(N.toBuffer(g)));
      N.disposeMany([h, f, g]);
      return `${head}\n[${Array.from(first, fmt).join(', ')}, ... (${n} values)]`;
    }
    const show = (x: unknown): string =>
      Array.isArray(x) ? `[${x.map(show).join(', ')}]` : fmt(x as number);
    return `${head}\n${show(this.tolist())}`;
  }

  // ---- conversion ------------------------------------------------------------------------------------
  /** A tensor on another device and/or of another dtype (the same tensor's data when nothing changes). */
  to(target: DType | Device | { dtype?: DType; device?: Device }): Tensor {
    let dt = -1;
    let dv = -2;
    if (typeof target === 'string') {
      if ((DTYPES as readonly string[]).includes(target)) dt = dtypeCode(target as DType);
      else dv = deviceCode(target as Device);
    } else {
      if (target.dtype !== undefined) dt = dtypeCode(target.dtype);
      if (target.device !== undefined) dv = deviceCode(target.device);
    }
    return wrap(N.to(this.id, dt, dv, false));
  }
  float(): Tensor {
    return wrap(N.to(this.id, 0, -2, false));
  }
  double(): Tensor {
    return wrap(N.to(this.id, 1, -2, false));
  }
  half(): Tensor {
    return wrap(N.to(this.id, 2, -2, false));
  }
  bfloat16(): Tensor {
    return wrap(N.to(this.id, 3, -2, false));
  }
  int(): Tensor {
    return wrap(N.to(this.id, 4, -2, false));
  }
  long(): Tensor {
    return wrap(N.to(this.id, 5, -2, false));
  }
  bool(): Tensor {
    return wrap(N.to(this.id, 7, -2, false));
  }
  cpu(): Tensor {
    return wrap(N.to(this.id, -1, -1, false));
  }
  cuda(): Tensor {
    return wrap(N.to(this.id, -1, 0, false));
  }
  clone(): Tensor {
    return wrap(N.clone(this.id));
  }
  contiguous(): Tensor {
    return wrap(N.contiguous(this.id));
  }
  /** A new handle to the same data, cut from the autograd graph. */
  detach(): Tensor {
    return wrap(N.detach(this.id));
  }

  // ---- autograd ----------------------------------------------------------------------------------------
  get requiresGrad(): boolean {
    return N.requiresGrad(this.id);
  }
  set requiresGrad(v: boolean) {
    N.setRequiresGrad(this.id, v);
  }
  /** In-place: sets requiresGrad and returns this. */
  requiresGrad_(v = true): this {
    N.setRequiresGrad(this.id, v);
    return this;
  }
  get isLeaf(): boolean {
    return N.isLeaf(this.id);
  }
  /**
   * The accumulated gradient, or null. Each read returns a NEW handle sharing the gradient's storage
   * (owned by the current scope like any op result): read it inside a scope or dispose it.
   */
  get grad(): Tensor | null {
    const h = N.grad(this.id);
    return h === null ? null : wrap(h);
  }
  set grad(g: Tensor | null) {
    N.setGrad(this.id, g === null ? null : g.id);
  }
  /** Drops the gradient (set to none, like PyTorch 2's default). */
  zeroGrad(): void {
    N.setGrad(this.id, null);
  }
  backward(grad?: Tensor, opts?: { retainGraph?: boolean }): void {
    N.backward(this.id, grad === undefined ? null : grad.id, opts?.retainGraph ?? false);
  }

  // ---- shape and indexing ------------------------------------------------------------------------------
  reshape(...shape: ShapeArgs): Tensor {
    return wrap(N.reshape(this.id, shapeOf(shape)));
  }
  view(...shape: ShapeArgs): Tensor {
    return wrap(N.view(this.id, shapeOf(shape)));
  }
  permute(...dims: ShapeArgs): Tensor {
    return wrap(N.permute(this.id, shapeOf(dims)));
  }
  transpose(a: number, b: number): Tensor {
    return wrap(N.transpose(this.id, a, b));
  }
  /** Transpose of the last two dims. */
  get mT(): Tensor {
    return wrap(N.transpose(this.id, -2, -1));
  }
  squeeze(dim?: number): Tensor {
    return wrap(N.squeeze(this.id, dim));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(N.unsqueeze(this.id, dim));
  }
  expand(...shape: ShapeArgs): Tensor {
    return wrap(N.expand(this.id, shapeOf(shape)));
  }
  broadcastTo(...shape: ShapeArgs): Tensor {
    return wrap(N.expand(this.id, shapeOf(shape)));
  }
  expandAs(other: Tensor): Tensor {
    return wrap(N.expand(this.id, other.shape));
  }
  flatten(start = 0, end = -1): Tensor {
    return wrap(N.flatten(this.id, start, end));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(N.narrow(this.id, dim, start, length));
  }
  /** Elements start..end (exclusive; end may be omitted or negative) along dim, every `step`. */
  slice(dim: number, start: number, end?: number, step = 1): Tensor {
    return wrap(N.slice(this.id, dim, start, end, step));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(N.indexSelect(this.id, dim, index.id));
  }
  gather(dim: number, index: Tensor): Tensor {
    return wrap(N.gather(this.id, dim, index.id));
  }
  scatter(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(N.scatter(this.id, dim, index.id, src.id, false));
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(N.scatter(this.id, dim, index.id, src.id, true));
  }
  maskedFill(mask: Tensor, value: number | boolean): Tensor {
    return wrap(N.maskedFill(this.id, mask.id, value));
  }
  flip(...dims: ShapeArgs): Tensor {
    return wrap(N.flip(this.id, shapeOf(dims)));
  }
  repeat(...reps: ShapeArgs): Tensor {
    return wrap(N.repeat(this.id, shapeOf(reps)));
  }
  split(sizeOrSizes: number | number[], dim = 0): Tensor[] {
    return wrapMany(N.split(this.id, sizeOrSizes, dim));
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return wrapMany(N.chunk(this.id, chunks, dim));
  }
  unbind(dim = 0): Tensor[] {
    return wrapMany(N.unbind(this.id, dim));
  }
  tril(diagonal = 0): Tensor {
    return wrap(N.tril(this.id, diagonal));
  }
  triu(diagonal = 0): Tensor {
    return wrap(N.triu(this.id, diagonal));
  }

  // ---- element-wise math (broadcasting) --------------------------------------------------------------------
  private bin(code: number, other: Tensor | number | boolean): Tensor {
    return wrap(
      typeof other === 'number' || typeof other === 'boolean'
        ? N.binaryScalar(code, this.id, other, false)
        : N.binary(code, this.id, other.id),
    );
  }
  add(other: Tensor | number): Tensor {
    return wrap(
      typeof other === 'object'
        ? N.add(this.id, other.id)
        : N.binaryScalar(BINARY.add, this.id, other, false),
    );
  }
  sub(other: Tensor | number): Tensor {
    return wrap(
      typeof other === 'object'
        ? N.sub(this.id, other.id)
        : N.binaryScalar(BINARY.sub, this.id, other, false),
    );
  }
  /** other - this */
  rsub(other: number): Tensor {
    return wrap(N.binaryScalar(BINARY.sub, this.id, other, true));
  }
  mul(other: Tensor | number): Tensor {
    return wrap(
      typeof other === 'object'
        ? N.mul(this.id, other.id)
        : N.binaryScalar(BINARY.mul, this.id, other, false),
    );
  }
  div(other: Tensor | number): Tensor {
    return wrap(
      typeof other === 'object'
        ? N.div(this.id, other.id)
        : N.binaryScalar(BINARY.div, this.id, other, false),
    );
  }
  pow(exponent: Tensor | number): Tensor {
    return this.bin(BINARY.pow, exponent);
  }
  remainder(other: Tensor | number): Tensor {
    return this.bin(BINARY.remainder, other);
  }
  floorDivide(other: Tensor | number): Tensor {
    return this.bin(BINARY.floorDivide, other);
  }
  minimum(other: Tensor | number): Tensor {
    return this.bin(BINARY.minimum, other);
  }
  maximum(other: Tensor | number): Tensor {
    return this.bin(BINARY.maximum, other);
  }
  atan2(other: Tensor): Tensor {
    return this.bin(BINARY.atan2, other);
  }
  eq(other: Tensor | number): Tensor {
    return this.bin(BINARY.eq, other);
  }
  ne(other: Tensor | number): Tensor {
    return this.bin(BINARY.ne, other);
  }
  lt(other: Tensor | number): Tensor {
    return this.bin(BINARY.lt, other);
  }
  le(other: Tensor | number): Tensor {
    return this.bin(BINARY.le, other);
  }
  gt(other: Tensor | number): Tensor {
    return this.bin(BINARY.gt, other);
  }
  ge(other: Tensor | number): Tensor {
    return this.bin(BINARY.ge, other);
  }
  logicalAnd(other: Tensor): Tensor {
    return this.bin(BINARY.logicalAnd, other);
  }
  logicalOr(other: Tensor): Tensor {
    return this.bin(BINARY.logicalOr, other);
  }
  neg(): Tensor {
    return wrap(N.unary(UNARY.neg, this.id));
  }
  abs(): Tensor {
    return wrap(N.unary(UNARY.abs, this.id));
  }
  exp(): Tensor {
    return wrap(N.unary(UNARY.exp, this.id));
  }
  log(): Tensor {
    return wrap(N.unary(UNARY.log, this.id));
  }
  sqrt(): Tensor {
    return wrap(N.unary(UNARY.sqrt, this.id));
  }
  rsqrt(): Tensor {
    return wrap(N.unary(UNARY.rsqrt, this.id));
  }
  sin(): Tensor {
    return wrap(N.unary(UNARY.sin, this.id));
  }
  cos(): Tensor {
    return wrap(N.unary(UNARY.cos, this.id));
  }
  tanh(): Tensor {
    return wrap(N.unary(UNARY.tanh, this.id));
  }
  sigmoid(): Tensor {
    return wrap(N.unary(UNARY.sigmoid, this.id));
  }
  relu(): Tensor {
    return wrap(N.unary(UNARY.relu, this.id));
  }
  /** GELU; `approximate: 'tanh'` for the tanh approximation. */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return wrap(N.unary(approximate === 'tanh' ? UNARY.geluTanh : UNARY.gelu, this.id));
  }
  silu(): Tensor {
    return wrap(N.unary(UNARY.silu, this.id));
  }
  softplus(): Tensor {
    return wrap(N.unary(UNARY.softplus, this.id));
  }
  floor(): Tensor {
    return wrap(N.unary(UNARY.floor, this.id));
  }
  ceil(): Tensor {
    return wrap(N.unary(UNARY.ceil, this.id));
  }
  round(): Tensor {
    return wrap(N.unary(UNARY.round, this.id));
  }
  trunc(): Tensor {
    return wrap(N.unary(UNARY.trunc, this.id));
  }
  sign(): Tensor {
    return wrap(N.unary(UNARY.sign, this.id));
  }
  log1p(): Tensor {
    return wrap(N.unary(UNARY.log1p, this.id));
  }
  expm1(): Tensor {
    return wrap(N.unary(UNARY.expm1, this.id));
  }
  square(): Tensor {
    return wrap(N.unary(UNARY.square, this.id));
  }
  reciprocal(): Tensor {
    return wrap(N.unary(UNARY.reciprocal, this.id));
  }
  erf(): Tensor {
    return wrap(N.unary(UNARY.erf, this.id));
  }
  logicalNot(): Tensor {
    return wrap(N.unary(UNARY.logicalNot, this.id));
  }
  isnan(): Tensor {
    return wrap(N.unary(UNARY.isnan, this.id));
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return wrap(N.clamp(this.id, min, max));
  }
  matmul(other: Tensor): Tensor {
    return wrap(N.matmul(this.id, other.id));
  }

  // ---- reductions ------------------------------------------------------------------------------------
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.sum, this.id, dimsArg(dim), keepdim));
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.mean, this.id, dimsArg(dim), keepdim));
  }
  /** Max values over dim(s) (all elements when omitted). For indices too use `maxWithIndices`. */
  max(dim?: number | readonly number[], keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.max, this.id, dimsArg(dim), keepdim));
  }
  min(dim?: number | readonly number[], keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.min, this.id, dimsArg(dim), keepdim));
  }
  maxWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [v, i] = N.maxDim(false, this.id, dim, keepdim);
    return { values: wrap(v), indices: wrap(i) };
  }
  minWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [v, i] = N.maxDim(true, this.id, dim, keepdim);
    return { values: wrap(v), indices: wrap(i) };
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return wrap(N.argmax(false, this.id, dim, keepdim));
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return wrap(N.argmax(true, this.id, dim, keepdim));
  }
  /** Variance (unbiased by default, like PyTorch). */
  var(dim?: number | readonly number[], keepdim = false, unbiased = true): Tensor {
    return wrap(N.varStd(false, this.id, dimsArg(dim), unbiased, keepdim));
  }
  std(dim?: number | readonly number[], keepdim = false, unbiased = true): Tensor {
    return wrap(N.varStd(true, this.id, dimsArg(dim), unbiased, keepdim));
  }
  logsumexp(dim?: number | readonly number[], keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.logsumexp, this.id, dimsArg(dim), keepdim));
  }
  prod(dim?: number, keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.prod, this.id, dimsArg(dim), keepdim));
  }
  all(dim?: number, keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.all, this.id, dimsArg(dim), keepdim));
  }
  any(dim?: number, keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.any, this.id, dimsArg(dim), keepdim));
  }
  /** L2 norm over dim(s). */
  norm(dim?: number | readonly number[], keepdim = false): Tensor {
    return wrap(N.reduce(REDUCE.norm, this.id, dimsArg(dim), keepdim));
  }
  cumsum(dim: number): Tensor {
    return wrap(N.cumsum(this.id, dim));
  }
  cumprod(dim: number): Tensor {
    return wrap(N.cumprod(this.id, dim));
  }
  topk(k: number, dim = -1, largest = true): { values: Tensor; indices: Tensor } {
    const [v, i] = N.topk(this.id, k, dim, largest);
    return { values: wrap(v), indices: wrap(i) };
  }
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } {
    const [v, i] = N.sort(this.id, dim, descending);
    return { values: wrap(v), indices: wrap(i) };
  }
  softmax(dim: number): Tensor {
    return wrap(N.softmax(false, this.id, dim));
  }
  logSoftmax(dim: number): Tensor {
    return wrap(N.softmax(true, this.id, dim));
  }

  // ---- in-place (no autograd recording; for optimizers, EMA and initialisation) --------------------------
  /** this += alpha * other, without recording grad. Returns this. */
  addInPlace(other: Tensor | number, alpha = 1): this {
    N.inplace(0, this.id, typeof other === 'number' ? other : other.id, alpha, typeof other === 'number');
    return this;
  }
  mulInPlace(other: Tensor | number): this {
    N.inplace(1, this.id, typeof other === 'number' ? other : other.id, 1, typeof other === 'number');
    return this;
  }
  fillInPlace(value: number): this {
    N.inplace(2, this.id, value, 1, true);
    return this;
  }
  zeroInPlace(): this {
    N.inplace(3, this.id, null, 1, false);
    return this;
  }
  /** Copies src's values into this tensor (shapes must match), without recording grad. */
  copyFrom(src: Tensor): this {
    N.copyInto(this.id, src.id);
    return this;
  }
}

/** Checks an argument is a live Tensor (for APIs that store tensors rather than pass them through). */
export function assertTensor(t: unknown, field: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ValidationError(field, t, 'a Tensor');
  if (t.id < 0) throw new TorchError('tensor_disposed', field, 'tensor was disposed');
}
