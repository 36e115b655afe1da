/** Standard layers. Inits follow PyTorch's defaults. */
import { ValidationError } from '@robofm/core';
import { empty, type Generator, ones, zeros } from '../creation.ts';
import type { Device, DType } from '../dtype.ts';
import * as F from '../functional.ts';
import { N } from '../native.ts';
import { scope } from '../scope.ts';
import { type Tensor, wrap } from '../tensor.ts';
import { kaimingUniform_, normal_, uniform_ } from './init.ts';
import { buffer, Module, ModuleList, parameter } from './module.ts';

export interface LayerOptions {
  dtype?: DType;
  device?: Device;
  /** Seeded init (default: the global generator, see manualSeed). */
  generator?: Generator;
}

function posInt(v: number, field: string): number {
  if (!Number.isInteger(v) || v <= 0) throw new ValidationError(field, v, 'a positive integer');
  return v;
}

/** y = x Wᵀ + b. weight [out, in], bias [out]. */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LayerOptions & { bias?: boolean } = {},
  ) {
    super();
    posInt(inFeatures, 'inFeatures');
    posInt(outFeatures, 'outFeatures');
    this.weight = parameter(empty([outFeatures, inFeatures], opts));
    kaimingUniform_(this.weight, Math.sqrt(5), opts.generator);
    this.bias = null;
    if (opts.bias ?? true) {
      const bound = 1 / Math.sqrt(inFeatures);
      this.bias = parameter(uniform_(empty([outFeatures], opts), -bound, bound, opts.generator));
    }
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

/** Rows of weight [num, dim] ~ N(0, 1). */
export class Embedding extends Module {
  weight: Tensor;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: LayerOptions = {},
  ) {
    super();
    posInt(numEmbeddings, 'numEmbeddings');
    posInt(embeddingDim, 'embeddingDim');
    this.weight = parameter(normal_(empty([numEmbeddings, embeddingDim], opts), 0, 1, opts.generator));
  }
  forward(idx: Tensor): Tensor {
    return F.embedding(idx, this.weight);
  }
}

export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly eps: number;
  constructor(
    readonly dim: number,
    opts: LayerOptions & { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    posInt(dim, 'dim');
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? parameter(ones([dim], opts)) : null;
    this.bias = affine && (opts.bias ?? true) ? parameter(zeros([dim], opts)) : null;
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, [this.dim], this.weight, this.bias, this.eps);
  }
}

export class RMSNorm extends Module {
  weight: Tensor;
  readonly eps: number;
  constructor(
    readonly dim: number,
    opts: LayerOptions & { eps?: number } = {},
  ) {
    super();
    posInt(dim, 'dim');
    this.eps = opts.eps ?? 1e-6;
    this.weight = parameter(ones([dim], opts));
  }
  forward(x: Tensor): Tensor {
    return F.rmsNorm(x, [this.dim], this.weight, this.eps);
  }
}

/** weight [out, in/groups, k, k]; input [N, C, H, W]. */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly stride: number | [number, number];
  readonly padding: number | [number, number];
  readonly groups: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | [number, number],
    opts: LayerOptions & {
      stride?: number | [number, number];
      padding?: number | [number, number];
      groups?: number;
      bias?: boolean;
    } = {},
  ) {
    super();
    posInt(inChannels, 'inChannels');
    posInt(outChannels, 'outChannels');
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.groups = opts.groups ?? 1;
    if (inChannels % this.groups !== 0)
      throw new ValidationError('groups', this.groups, `a divisor of inChannels (${inChannels})`);
    this.weight = parameter(empty([outChannels, inChannels / this.groups, kh, kw], opts));
    kaimingUniform_(this.weight, Math.sqrt(5), opts.generator);
    this.bias = null;
    if (opts.bias ?? true) {
      const bound = 1 / Math.sqrt((inChannels / this.groups) * kh * kw);
      this.bias = parameter(uniform_(empty([outChannels], opts), -bound, bound, opts.generator));
    }
  }
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      groups: this.groups,
    });
  }
}

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValidationError('p', p, 'a probability in [0, 1]');
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}

export type Activation = 'gelu' | 'relu' | 'silu' | 'tanh' | 'geluTanh';

export function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case 'gelu':
      return x.gelu();
    case 'geluTanh':
      return x.gelu('tanh');
    case 'relu':
      return x.relu();
    case 'silu':
      return x.silu();
    case 'tanh':
      return x.tanh();
  }
  throw new ValidationError('activation', act, "'gelu', 'geluTanh', 'relu', 'silu' or 'tanh'");
}

/** Linear layers with an activation between them: `new MLP(128, 512, 128)` → layers.0, layers.1. */
export class MLP extends Module {
  layers: ModuleList<Linear>;
  readonly activation: Activation;
  constructor(...args: (number | (LayerOptions & { activation?: Activation; bias?: boolean }))[]) {
    super();
    const dims = args.filter((a): a is number => typeof a === 'number');
    const opts = (args.find((a) => typeof a === 'object') ?? {}) as LayerOptions & {
      activation?: Activation;
      bias?: boolean;
    };
    if (dims.length < 2) throw new ValidationError('dims', dims, 'at least two layer sizes');
    this.activation = opts.activation ?? 'gelu';
    this.layers = new ModuleList(dims.slice(1).map((d, i) => new Linear(dims[i], d, opts)));
  }
  forward(x: Tensor): Tensor {
    // Intermediates are disposed at their last use (as Python's refcounting would free them): less
    // peak memory and allocator churn. Autograd keeps its own references to what backward needs.
    return scope(() => {
      let h = x;
      const n = this.layers.length;
      for (let i = 0; i < n; i++) {
        const y = this.layers.items[i].forward(h);
        if (h !== x) h.dispose();
        h = y;
        if (i < n - 1) {
          const a = activate(h, this.activation);
          h.dispose();
          h = a;
        }
      }
      return h;
    });
  }
}

/** BatchNorm over channels of [N, C, H, W] with running statistics (buffers). */
export class BatchNorm2d extends Module {
  weight: Tensor;
  bias: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  constructor(
    readonly numFeatures: number,
    readonly opts: LayerOptions & { eps?: number; momentum?: number } = {},
  ) {
    super();
    this.weight = parameter(ones([numFeatures], opts));
    this.bias = parameter(zeros([numFeatures], opts));
    this.runningMean = buffer(zeros([numFeatures], opts));
    this.runningVar = buffer(ones([numFeatures], opts));
  }
  forward(x: Tensor): Tensor {
    return F.batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: this.training,
      momentum: this.opts.momentum ?? 0.1,
      eps: this.opts.eps ?? 1e-5,
    });
  }
}

/** Identity (handy as a placeholder). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return wrap(N.alias(x.id));
  }
}
