/** Free functions over several tensors (the rest are Tensor methods). */
import { ValidationError } from '@robofm/core';
import { BINARY, N } from './native.ts';
import { Tensor, wrap } from './tensor.ts';

function ids(ts: readonly Tensor[], field: string): number[] {
  if (!Array.isArray(ts)) throw new ValidationError(field, ts, 'an array of Tensors');
  return ts.map((t) => (t instanceof Tensor ? t.id : (t as unknown as number)));
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(N.cat(ids(tensors, 'tensors'), dim));
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(N.stack(ids(tensors, 'tensors'), dim));
}

export function split(t: Tensor, sizeOrSizes: number | number[], dim = 0): Tensor[] {
  return t.split(sizeOrSizes, dim);
}

export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  return t.chunk(chunks, dim);
}

/** Elements of a where cond is true, else of b (broadcasting). */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  return wrap(N.where(cond.id, a.id, b.id));
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  return wrap(N.matmul(a.id, b.id));
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  return wrap(N.bmm(a.id, b.id));
}

export function outer(a: Tensor, b: Tensor): Tensor {
  return wrap(N.outer(a.id, b.id));
}

export function einsum(equation: string, ...tensors: Tensor[]): Tensor {
  return wrap(N.einsum(equation, ids(tensors, 'tensors')));
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  return wrap(N.binary(BINARY.minimum, a.id, b.id));
}

export function maximum(a: Tensor, b: Tensor): Tensor {
  return wrap(N.binary(BINARY.maximum, a.id, b.id));
}

export function add(a: Tensor, b: Tensor | number): Tensor {
  return a.add(b);
}
export function sub(a: Tensor, b: Tensor | number): Tensor {
  return a.sub(b);
}
export function mul(a: Tensor, b: Tensor | number): Tensor {
  return a.mul(b);
}
export function div(a: Tensor, b: Tensor | number): Tensor {
  return a.div(b);
}

/** Clips the global gradient norm of `params` to `maxNorm` in place; returns the norm before clipping. */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (!(maxNorm > 0)) throw new ValidationError('maxNorm', maxNorm, 'a positive number');
  return N.clipGradNorm(
    [...params].map((p) => p.id),
    maxNorm,
    normType,
  );
}

/** Drops the gradients of all `params` (set to none). */
export function zeroGrad(params: Iterable<Tensor>): void {
  N.zeroGrad([...params].map((p) => p.id));
}
