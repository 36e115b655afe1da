/** Multi-head attention (self or cross, optional KV cache) and a pre-norm transformer block. */
import { ValidationError } from '@robofm/core';
import { ones } from '../creation.ts';
import * as F from '../functional.ts';
import { cat } from '../ops.ts';
import { dispose, keep, scope } from '../scope.ts';
import type { Tensor } from '../tensor.ts';
import { type Activation, LayerNorm, type LayerOptions, Linear, MLP, RMSNorm } from './layers.ts';
import { Module } from './module.ts';

/**
 * Keys and values of past positions for incremental decoding. Owned by the caller: `dispose()` it
 * when the sequence is done. Each forward with the cache appends the new positions.
 */
export class KVCache {
  k: Tensor | null = null; // [B, H, T, Dh]
  v: Tensor | null = null;
  get length(): number {
    return this.k ? this.k.shape[2] : 0;
  }
  /** @internal Appends and returns the full keys/values. */
  append(k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    const nk = keep(this.k ? cat([this.k, k], 2) : k.clone());
    const nv = keep(this.v ? cat([this.v, v], 2) : v.clone());
    this.k?.dispose();
    this.v?.dispose();
    this.k = nk;
    this.v = nv;
    return { k: nk, v: nv };
  }
  dispose(): void {
    this.k?.dispose();
    this.v?.dispose();
    this.k = null;
    this.v = null;
  }
}

export interface AttentionForwardOptions {
  /** Cross-attention input [B, S, kvDim] (modules built with `kvDim`). */
  context?: Tensor;
  /** bool (true = attend) or additive mask broadcastable to [B, H, Tq, Tk]. */
  mask?: Tensor | null;
  /** Causal self-attention (aligned to the end when a KV cache holds earlier positions). */
  causal?: boolean;
  kvCache?: KVCache;
}

/**
 * Self-attention (fields qkv, proj) or, with `kvDim`, cross-attention (fields q, kv, proj).
 * x: [B, T, D] → [B, T, D].
 */
export class MultiheadAttention extends Module {
  qkv: Linear | null = null;
  q: Linear | null = null;
  kv: Linear | null = null;
  proj: Linear;
  readonly headDim: number;
  readonly dropoutP: number;

  constructor(
    readonly dim: number,
    readonly heads: number,
    opts: LayerOptions & { kvDim?: number; bias?: boolean; dropout?: number } = {},
  ) {
    super();
    if (!Number.isInteger(heads) || heads <= 0 || dim % heads !== 0)
      throw new ValidationError('heads', heads, `a positive divisor of dim (${dim})`);
    this.headDim = dim / heads;
    this.dropoutP = opts.dropout ?? 0;
    if (opts.kvDim === undefined) this.qkv = new Linear(dim, 3 * dim, opts);
    else {
      this.q = new Linear(dim, dim, opts);
      this.kv = new Linear(opts.kvDim, 2 * dim, opts);
    }
    this.proj = new Linear(dim, dim, opts);
  }

  get isCross(): boolean {
    return this.qkv === null;
  }

  forward(x: Tensor, o: AttentionForwardOptions = {}): Tensor {
    // Intermediates are disposed at their last use (autograd keeps what backward needs); the scope
    // is the safety net when something throws.
    return scope(() => {
      const [B, T] = x.shape; // [B, T, D]
      const H = this.heads;
      const Dh = this.headDim;
      let q: Tensor;
      let k: Tensor;
      let v: Tensor;
      if (this.qkv) {
        if (o.context) {
          throw new ValidationError(
            'context',
            'a Tensor',
            'no context for a self-attention module (build it with kvDim)',
          );
        }
        const qkv = this.qkv.forward(x); // [B, T, 3D]
        const r = qkv.reshape(B, T, 3, H, Dh);
        const p = r.permute(2, 0, 3, 1, 4); // [3, B, H, T, Dh]
        [q, k, v] = p.unbind(0);
        dispose(qkv, r, p);
      } else {
        if (!o.context) {
          throw new ValidationError(
            'context',
            undefined,
            'a context Tensor [B, S, kvDim] for cross-attention',
          );
        }
        const S = o.context.shape[1];
        const q0 = this.q!.forward(x);
        const q1 = q0.reshape(B, T, H, Dh);
        q = q1.transpose(1, 2); // [B, H, T, Dh]
        const kv = this.kv!.forward(o.context);
        const r = kv.reshape(B, S, 2, H, Dh);
        const p = r.permute(2, 0, 3, 1, 4);
        [k, v] = p.unbind(0); // [B, H, S, Dh]
        dispose(q0, q1, kv, r, p);
      }
      let mask = o.mask ?? null;
      let causal = o.causal ?? false;
      if (o.kvCache) {
        const past = o.kvCache.length;
        ({ k, v } = o.kvCache.append(k, v));
        if (causal && past > 0) {
          // Query i sits at position past + i: it may attend keys 0..past+i.
          const allowed = ones([T, past + T], { dtype: 'bool', device: x.device }).tril(past);
          mask = mask ? allowed.logicalAnd(mask.dtype === 'bool' ? mask : mask.eq(0)) : allowed;
          causal = false;
        }
      }
      const out = F.scaledDotProductAttention(q, k, v, {
        mask,
        isCausal: causal,
        dropoutP: this.dropoutP,
        training: this.training,
      }); // [B, H, T, Dh]
      q.dispose();
      if (!o.kvCache) dispose(k, v); // otherwise the cache owns them
      const t = out.transpose(1, 2);
      const merged = t.reshape(B, T, H * Dh); // [B, T, D]
      dispose(out, t);
      const y = this.proj.forward(merged);
      merged.dispose();
      return y;
    });
  }
}

export interface TransformerBlockOptions extends LayerOptions {
  crossAttention?: boolean;
  /** Width of the cross-attention context (default: dim). */
  contextDim?: number;
  dropout?: number;
  activation?: Activation;
  norm?: 'layer' | 'rms';
}

export interface TransformerBlockForwardOptions {
  context?: Tensor;
  mask?: Tensor | null;
  contextMask?: Tensor | null;
  causal?: boolean;
  kvCache?: KVCache;
}

/**
 * Pre-norm block: x + attn(norm1(x)) [+ crossAttn(normCross(·), context)] + mlp(norm2(·)).
 * Fields: norm1, attn, [normCross, crossAttn], norm2, mlp.
 */
export class TransformerBlock extends Module {
  norm1: LayerNorm | RMSNorm;
  attn: MultiheadAttention;
  normCross: LayerNorm | RMSNorm | null = null;
  crossAttn: MultiheadAttention | null = null;
  norm2: LayerNorm | RMSNorm;
  mlp: MLP;

  constructor(dim: number, heads: number, mlpDim: number, opts: TransformerBlockOptions = {}) {
    super();
    const norm = () => (opts.norm === 'rms' ? new RMSNorm(dim, opts) : new LayerNorm(dim, opts));
    this.norm1 = norm();
    this.attn = new MultiheadAttention(dim, heads, { ...opts, dropout: opts.dropout });
    if (opts.crossAttention) {
      this.normCross = norm();
      this.crossAttn = new MultiheadAttention(dim, heads, {
        ...opts,
        kvDim: opts.contextDim ?? dim,
        dropout: opts.dropout,
      });
    }
    this.norm2 = norm();
    this.mlp = new MLP(dim, mlpDim, dim, { ...opts, activation: opts.activation ?? 'gelu' });
  }

  forward(x: Tensor, o: TransformerBlockForwardOptions = {}): Tensor {
    // Intermediates are disposed at their last use; the scope is the safety net when something throws.
    return scope(() => {
      const n1 = this.norm1.forward(x);
      const a = this.attn.forward(n1, { mask: o.mask, causal: o.causal, kvCache: o.kvCache });
      n1.dispose();
      let h = x.add(a);
      a.dispose();
      if (this.crossAttn && this.normCross) {
        if (!o.context) {
          throw new ValidationError(
            'context',
            undefined,
            'a context Tensor for a block with cross-attention',
          );
        }
        const nc = this.normCross.forward(h);
        const c = this.crossAttn.forward(nc, { context: o.context, mask: o.contextMask });
        const h2 = h.add(c);
        dispose(nc, c, h);
        h = h2;
      }
      const n2 = this.norm2.forward(h);
      const m = this.mlp.forward(n2);
      n2.dispose();
      const out = h.add(m);
      dispose(h, m);
      return out;
    });
  }
}
