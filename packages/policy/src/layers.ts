import { F, nn, type Tensor, cat } from '@robofm/torch';

/** Splits [B, T, h·dh] into heads [B, h, T, dh]. */
export function splitHeads(x: Tensor, heads: number): Tensor {
  const [B, T, D] = x.shape;
  return x.reshape(B, T, heads, D / heads).transpose(1, 2);
}

/** [B, T, n·h·dh] → n tensors [B, h, T, dh] (one reshape + permute + unbind). */
export function splitHeadsN(x: Tensor, n: number, heads: number): Tensor[] {
  const [B, T, D] = x.shape;
  return x
    .reshape(B, T, n, heads, D / (n * heads))
    .permute(2, 0, 3, 1, 4)
    .unbind(0);
}

/** [B, h, T, dh] → [B, T, h·dh]. */
export function mergeHeads(x: Tensor): Tensor {
  const [B, h, T, dh] = x.shape;
  return x
    .transpose(1, 2)
    .contiguous()
    .reshape(B, T, h * dh);
}

export class FeedForward extends nn.Module {
  fc1: nn.Linear;
  fc2: nn.Linear;
  constructor(d: number, hidden: number) {
    super();
    this.fc1 = new nn.Linear(d, hidden);
    this.fc2 = new nn.Linear(hidden, d);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(F.gelu(this.fc1.forward(x)));
  }
}

/**
 * Pre-norm transformer block with multi-head self-attention. `mask`: bool, true = may attend,
 * broadcastable to [B, h, T, T].
 */
export class Block extends nn.Module {
  ln1: nn.LayerNorm;
  qkv: nn.Linear;
  proj: nn.Linear;
  ln2: nn.LayerNorm;
  mlp: FeedForward;
  constructor(
    d: number,
    private readonly heads: number,
    mlpRatio: number,
  ) {
    super();
    this.ln1 = new nn.LayerNorm(d);
    this.qkv = new nn.Linear(d, 3 * d);
    this.proj = new nn.Linear(d, d);
    this.ln2 = new nn.LayerNorm(d);
    this.mlp = new FeedForward(d, d * mlpRatio);
  }
  forward(x: Tensor, mask?: Tensor): Tensor {
    const [q, k, v] = splitHeadsN(this.qkv.forward(this.ln1.forward(x)), 3, this.heads);
    const a = F.scaledDotProductAttention(q, k, v, { mask });
    const h = x.add(this.proj.forward(mergeHeads(a))); // [B, T, D]
    return h.add(this.mlp.forward(this.ln2.forward(h)));
  }
}

/** Keys and values of the backbone prefix for one expert layer: [B, h, P, dh] each. */
export interface PrefixKv {
  k: Tensor;
  v: Tensor;
}

/**
 * Action-expert block: the action tokens' queries attend jointly to the backbone prefix (keys and
 * values projected once per observation: the KV cache reused by every denoising step) and to the
 * action tokens themselves.
 */
export class ExpertBlock extends nn.Module {
  ln1: nn.LayerNorm;
  qkv: nn.Linear;
  prefixKv: nn.Linear;
  proj: nn.Linear;
  ln2: nn.LayerNorm;
  mlp: FeedForward;
  constructor(
    e: number,
    prefixDim: number,
    private readonly heads: number,
    mlpRatio: number,
  ) {
    super();
    this.ln1 = new nn.LayerNorm(e);
    this.qkv = new nn.Linear(e, 3 * e);
    this.prefixKv = new nn.Linear(prefixDim, 2 * e);
    this.proj = new nn.Linear(e, e);
    this.ln2 = new nn.LayerNorm(e);
    this.mlp = new FeedForward(e, e * mlpRatio);
  }
  /** prefix [B, P, D] → cached keys/values for this layer. */
  cache(prefix: Tensor): PrefixKv {
    const [k, v] = splitHeadsN(this.prefixKv.forward(prefix), 2, this.heads);
    return { k, v };
  }
  /** x [B, H, E]; mask bool [B, 1, 1, P + H]. */
  forward(x: Tensor, kv: PrefixKv, mask: Tensor): Tensor {
    const [q, k, v] = splitHeadsN(this.qkv.forward(this.ln1.forward(x)), 3, this.heads);
    const a = F.scaledDotProductAttention(q, cat([kv.k, k], 2), cat([kv.v, v], 2), { mask });
    const h = x.add(this.proj.forward(mergeHeads(a)));
    return h.add(this.mlp.forward(this.ln2.forward(h)));
  }
}

/** π0's sinusoidal time embedding: periods log-spaced in [4e-3, 4]; returns [B·width] row-major. */
export function sinusoidalEmbedding(t: ArrayLike<number>, width: number): Float32Array {
  const half = width / 2;
  const out = new Float32Array(t.length * width);
  const minP = 4e-3;
  const maxP = 4.0;
  for (let b = 0; b < t.length; b++) {
    for (let i = 0; i < half; i++) {
      const frac = half > 1 ? i / (half - 1) : 0;
      const period = minP * (maxP / minP) ** frac;
      const x = (2 * Math.PI * t[b]) / period;
      out[b * width + i] = Math.sin(x);
      out[b * width + half + i] = Math.cos(x);
    }
  }
  return out;
}
