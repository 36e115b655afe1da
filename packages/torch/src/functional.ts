/** `F`: the functional API (PyTorch's torch.nn.functional in camelCase). */
import { ValidationError } from '@robofm/core';
import { N } from './native.ts';
import { type Tensor, wrap } from './tensor.ts';

export type Reduction = 'none' | 'mean' | 'sum';
const RED: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };
function red(r: Reduction | undefined): number {
  if (r === undefined) return 1;
  const c = RED[r];
  if (c === undefined) throw new ValidationError('reduction', r, "'none', 'mean' or 'sum'");
  return c;
}

type IntOrPair = number | [number, number];
function pair(v: IntOrPair | undefined, d: number, field: string): number[] {
  if (v === undefined) return [d, d];
  if (typeof v === 'number') return [v, v];
  if (!Array.isArray(v) || v.length !== 2) throw new ValidationError(field, v, 'a number or [h, w]');
  return v;
}
function single(v: number | [number] | undefined, d: number): number[] {
  if (v === undefined) return [d];
  return typeof v === 'number' ? [v] : v;
}

export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  return wrap(N.linear(x.id, w.id, b ? b.id : null));
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
}

/** x [N, C, L], w [Cout, C/groups, K]. */
export function conv1d(x: Tensor, w: Tensor, b?: Tensor | null, o: Conv1dOptions = {}): Tensor {
  return wrap(
    N.conv(
      1,
      x.id,
      w.id,
      b ? b.id : null,
      single(o.stride, 1),
      single(o.padding, 0),
      single(o.dilation, 1),
      o.groups ?? 1,
    ),
  );
}

export interface Conv2dOptions {
  stride?: IntOrPair;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  groups?: number;
}

/** x [N, C, H, W], w [Cout, C/groups, kH, kW]. */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, o: Conv2dOptions = {}): Tensor {
  return wrap(
    N.conv(
      2,
      x.id,
      w.id,
      b ? b.id : null,
      pair(o.stride, 1, 'stride'),
      pair(o.padding, 0, 'padding'),
      pair(o.dilation, 1, 'dilation'),
      o.groups ?? 1,
    ),
  );
}

export function convTranspose2d(
  x: Tensor,
  w: Tensor,
  b?: Tensor | null,
  o: Conv2dOptions & { outputPadding?: IntOrPair } = {},
): Tensor {
  return wrap(
    N.convTranspose2d(
      x.id,
      w.id,
      b ? b.id : null,
      pair(o.stride, 1, 'stride'),
      pair(o.padding, 0, 'padding'),
      pair(o.outputPadding, 0, 'outputPadding'),
      o.groups ?? 1,
      pair(o.dilation, 1, 'dilation'),
    ),
  );
}

export interface PoolOptions {
  stride?: IntOrPair;
  padding?: IntOrPair;
  ceilMode?: boolean;
}

export function maxPool2d(
  x: Tensor,
  kernelSize: IntOrPair,
  o: PoolOptions & { dilation?: IntOrPair } = {},
): Tensor {
  const k = pair(kernelSize, 1, 'kernelSize');
  return wrap(
    N.maxPool2d(
      x.id,
      k,
      o.stride === undefined ? k : pair(o.stride, 1, 'stride'),
      pair(o.padding, 0, 'padding'),
      pair(o.dilation, 1, 'dilation'),
      o.ceilMode ?? false,
    ),
  );
}

export function avgPool2d(
  x: Tensor,
  kernelSize: IntOrPair,
  o: PoolOptions & { countIncludePad?: boolean } = {},
): Tensor {
  const k = pair(kernelSize, 1, 'kernelSize');
  return wrap(
    N.avgPool2d(
      x.id,
      k,
      o.stride === undefined ? k : pair(o.stride, 1, 'stride'),
      pair(o.padding, 0, 'padding'),
      o.ceilMode ?? false,
      o.countIncludePad ?? true,
    ),
  );
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: IntOrPair): Tensor {
  return wrap(N.adaptiveAvgPool2d(x.id, pair(outputSize, 1, 'outputSize')));
}

/** Resizes [N, C, H, W] to `size` = [H, W] (or scales by `scaleFactor`). */
export function interpolate(
  x: Tensor,
  o: { size?: IntOrPair; scaleFactor?: number; mode?: 'bilinear' | 'nearest'; alignCorners?: boolean },
): Tensor {
  const mode = o.mode ?? 'nearest';
  if (mode !== 'bilinear' && mode !== 'nearest')
    throw new ValidationError('mode', mode, "'bilinear' or 'nearest'");
  let size: number[];
  if (o.size !== undefined) size = pair(o.size, 1, 'size');
  else if (o.scaleFactor !== undefined) {
    const s = x.shape;
    size = [Math.floor(s[s.length - 2] * o.scaleFactor), Math.floor(s[s.length - 1] * o.scaleFactor)];
  } else throw new ValidationError('size', undefined, 'size or scaleFactor');
  return wrap(N.interpolate(x.id, size, mode === 'bilinear' ? 1 : 0, o.alignCorners ?? false));
}

export function layerNorm(
  x: Tensor,
  shape: number | number[],
  w?: Tensor | null,
  b?: Tensor | null,
  eps = 1e-5,
): Tensor {
  return wrap(
    N.layerNorm(x.id, typeof shape === 'number' ? [shape] : shape, w ? w.id : null, b ? b.id : null, eps),
  );
}

/** x * rsqrt(mean(x², over the last dims) + eps) * w. */
export function rmsNorm(x: Tensor, shape: number | number[], w?: Tensor | null, eps = 1e-6): Tensor {
  return wrap(N.rmsNorm(x.id, typeof shape === 'number' ? [shape] : shape, w ? w.id : null, eps));
}

export function groupNorm(
  x: Tensor,
  groups: number,
  w?: Tensor | null,
  b?: Tensor | null,
  eps = 1e-5,
): Tensor {
  return wrap(N.groupNorm(x.id, groups, w ? w.id : null, b ? b.id : null, eps));
}

export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  o: {
    weight?: Tensor | null;
    bias?: Tensor | null;
    training?: boolean;
    momentum?: number;
    eps?: number;
  } = {},
): Tensor {
  return wrap(
    N.batchNorm(
      x.id,
      o.weight ? o.weight.id : null,
      o.bias ? o.bias.id : null,
      runningMean ? runningMean.id : null,
      runningVar ? runningVar.id : null,
      o.training ?? false,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
    ),
  );
}

export function softmax(x: Tensor, dim: number): Tensor {
  return wrap(N.softmax(false, x.id, dim));
}
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return wrap(N.softmax(true, x.id, dim));
}
export function relu(x: Tensor): Tensor {
  return x.relu();
}
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  return x.gelu(approximate);
}
export function silu(x: Tensor): Tensor {
  return x.silu();
}
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}
export function softplus(x: Tensor): Tensor {
  return x.softplus();
}

/** Zeroes elements with probability p and scales the rest by 1/(1-p) when training. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return wrap(N.dropout(x.id, p, training));
}

/** Rows of w [num, dim] picked by integer indices. */
export function embedding(idx: Tensor, w: Tensor, paddingIdx?: number): Tensor {
  return wrap(N.embedding(idx.id, w.id, paddingIdx));
}

/** Pads the last dims: pad = [left, right, top, bottom, ...]. */
export function pad(x: Tensor, pads: number[], value = 0): Tensor {
  return wrap(N.pad(x.id, pads, value));
}

export function oneHot(idx: Tensor, numClasses = -1): Tensor {
  return wrap(N.oneHot(idx.id, numClasses));
}

export function mseLoss(a: Tensor, b: Tensor, reduction?: Reduction): Tensor {
  return wrap(N.loss(0, a.id, b.id, red(reduction), 0));
}
export function l1Loss(a: Tensor, b: Tensor, reduction?: Reduction): Tensor {
  return wrap(N.loss(1, a.id, b.id, red(reduction), 0));
}
export function smoothL1Loss(a: Tensor, b: Tensor, reduction?: Reduction, beta = 1): Tensor {
  return wrap(N.loss(2, a.id, b.id, red(reduction), beta));
}
export function huberLoss(a: Tensor, b: Tensor, reduction?: Reduction, delta = 1): Tensor {
  return wrap(N.loss(4, a.id, b.id, red(reduction), delta));
}
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, reduction?: Reduction): Tensor {
  return wrap(N.loss(3, logits.id, target.id, red(reduction), 0));
}

export interface CrossEntropyOptions {
  /** Targets equal to this class index are ignored (default -100, as in PyTorch). */
  ignoreIndex?: number;
  labelSmoothing?: number;
  reduction?: Reduction;
  weight?: Tensor;
}

/** logits [N, C] (or [N, C, ...]); target class indices [N] (int) or class probabilities [N, C]. */
export function crossEntropy(logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  return wrap(
    N.crossEntropy(
      logits.id,
      target.id,
      o.weight ? o.weight.id : null,
      red(o.reduction),
      o.ignoreIndex ?? -100,
      o.labelSmoothing ?? 0,
    ),
  );
}

export function nllLoss(
  logProbs: Tensor,
  target: Tensor,
  o: { ignoreIndex?: number; reduction?: Reduction } = {},
): Tensor {
  return wrap(N.nllLoss(logProbs.id, target.id, red(o.reduction), o.ignoreIndex ?? -100));
}

export interface AttentionOptions {
  /** bool (true = attend) or additive float mask, broadcastable to [B, H, Tq, Tk]. */
  mask?: Tensor | null;
  isCausal?: boolean;
  dropoutP?: number;
  /** Dropout only applies when training (default true when dropoutP > 0). */
  training?: boolean;
  /** Default 1/sqrt(Dh). */
  scale?: number;
}

/** softmax(q kᵀ · scale + mask) v. q: [B, H, Tq, Dh], k/v: [B, H, Tk, Dh] → [B, H, Tq, Dh]. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions = {}): Tensor {
  return wrap(
    N.sdpa(
      q.id,
      k.id,
      v.id,
      o.mask ? o.mask.id : null,
      o.isCausal ?? false,
      o.dropoutP ?? 0,
      o.training ?? true,
      o.scale,
    ),
  );
}
