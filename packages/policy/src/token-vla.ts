import { F, type Generator, nn, type Tensor, arange, cat, noGrad, ones, scope, tensor } from '@robofm/torch';
import { type KeypointMaps, PrefixEncoder, type TensorBatch, smallInit } from './backbone.ts';
import type { ModelConfig } from './config.ts';
import type { Rng } from '@robofm/core';

/** Normalized values are binned uniformly over [−R, R] (quantile norm: R = 1; z-score: R = 3). */
export function binRange(cfg: ModelConfig): number {
  return cfg.normalization === 'quantile' ? 1 : 3;
}

export function toBin(v: number, bins: number, R: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(((v + R) / (2 * R)) * bins)));
}

export function fromBin(bin: number, bins: number, R: number): number {
  return -R + ((bin + 0.5) * 2 * R) / bins;
}

/**
 * First-generation baseline ("actions as the answer to a visual question"): the same backbone
 * continues the prefix with H action-step tokens, decoded autoregressively over time. Each step
 * token carries all action dimensions as discrete bins (256 per dimension): its input is the sum of
 * the previous step's bin embeddings, its output a 256-way distribution per dimension.
 */
export class TokenVla extends nn.Module {
  backbone: PrefixEncoder;
  /** The weighted auxiliary loss of the last `computeLoss` (undefined without the auxiliary task). */
  lastAuxLoss: number | undefined;
  binEmbed: nn.Embedding;
  stepBos: nn.Embedding;
  stepPos: nn.Embedding;
  head: nn.Linear;

  constructor(readonly config: ModelConfig) {
    super();
    const c = config;
    this.backbone = new PrefixEncoder(c);
    this.binEmbed = new nn.Embedding(c.maxActionDim * c.tokenBins, c.dModel);
    this.stepBos = new nn.Embedding(1, c.dModel);
    this.stepPos = new nn.Embedding(c.horizon, c.dModel);
    this.head = new nn.Linear(c.dModel, c.maxActionDim * c.tokenBins);
    smallInit(this.binEmbed, this.stepBos, this.stepPos);
  }

  /** Bin index per entry [B, H, A] (offset by dim·bins for the embedding table), as int64. */
  private binsOf(actions: Float32Array, B: number): { ids: BigInt64Array; bins: Int32Array } {
    const c = this.config;
    const R = binRange(c);
    const A = c.maxActionDim;
    const ids = new BigInt64Array(B * c.horizon * A);
    const bins = new Int32Array(B * c.horizon * A);
    for (let i = 0; i < ids.length; i++) {
      const bin = toBin(actions[i], c.tokenBins, R);
      bins[i] = bin;
      ids[i] = BigInt((i % A) * c.tokenBins + bin);
    }
    return { ids, bins };
  }

  /**
   * Logits [B, H, A, bins] for step tokens built from `prevIds` ([B, H, A] embedding ids of each
   * step's previous step; row 0 ignored) with dimension mask `dimMask` [B, 1, A] (float), and the
   * backbone's output over the prefix [B, P, D] (for the auxiliary loss).
   */
  private logits(
    b: TensorBatch,
    prevIds: Tensor,
    dimMask: Tensor,
  ): { logits: Tensor; prefix: Tensor; maps?: KeypointMaps } {
    const c = this.config;
    const B = b.size;
    const H = c.horizon;
    const { tokens, mask, maps } = this.backbone.embed(b);
    const P = tokens.shape[1];
    const emb = this.binEmbed.forward(prevIds).mul(dimMask.unsqueeze(3)).sum(2); // [B, H, D]
    const bos = this.stepBos.forward(tensor(new BigInt64Array(B), { shape: [B, 1], dtype: 'int64' })); // [B, 1, D]
    const steps = cat([bos, emb.narrow(1, 0, H - 1)], 1).add(
      this.stepPos.forward(arange(0, H, 1, { dtype: 'int64' })).unsqueeze(0),
    );
    // Mask [B, 1, P+H, P+H]: prefix queries see real prefix keys; step k sees the prefix and steps ≤ k.
    const keyMask = mask.toArray() as Uint8Array; // [B, P]
    const N = P + H;
    const allowed = new Uint8Array(B * N * N);
    for (let bi = 0; bi < B; bi++)
      for (let q = 0; q < N; q++)
        for (let k = 0; k < N; k++)
          allowed[(bi * N + q) * N + k] = (k < P ? keyMask[bi * P + k] : k <= q ? 1 : 0) ? 1 : 0;
    const attn = tensor(allowed, { shape: [B, 1, N, N], dtype: 'bool' });
    let x = cat([tokens, steps], 1);
    for (const blk of this.backbone.blocks) x = blk.forward(x, attn);
    const y = this.backbone.lnOut.forward(x);
    const out = y.narrow(1, P, H); // [B, H, D]
    return {
      logits: this.head.forward(out).reshape(B, H, c.maxActionDim, c.tokenBins),
      prefix: y.narrow(1, 0, P),
      maps,
    };
  }

  /** [B, 1, A] float: a dimension is real for a sample when any step supervises it. */
  private dimMaskOf(b: TensorBatch): Tensor {
    const c = this.config;
    const m = b.actionMask!.toFloat32Array();
    const out = new Float32Array(b.size * c.maxActionDim);
    for (let i = 0; i < m.length; i++)
      if (m[i] > 0)
        out[Math.floor(i / (c.horizon * c.maxActionDim)) * c.maxActionDim + (i % c.maxActionDim)] = 1;
    return tensor(out, { shape: [b.size, 1, c.maxActionDim] });
  }

  /** Cross-entropy of the true bins on supervised entries. */
  computeLoss(b: TensorBatch, _rng?: Rng, _generator?: Generator): Tensor {
    if (!b.actions || !b.actionMask) throw new Error('computeLoss needs a batch with actions');
    const c = this.config;
    const B = b.size;
    const H = c.horizon;
    const A = c.maxActionDim;
    const { ids, bins } = this.binsOf(b.actions.toFloat32Array(), B);
    const mask = b.actionMask.toFloat32Array();
    const target = new BigInt64Array(bins.length);
    for (let i = 0; i < bins.length; i++) target[i] = mask[i] > 0 ? BigInt(bins[i]) : -100n;
    const { logits, prefix, maps } = this.logits(
      b,
      tensor(ids, { shape: [B, H, A], dtype: 'int64' }),
      this.dimMaskOf(b),
    );
    const supervised = mask.some((v) => v > 0);
    const ce = F.crossEntropy(
      logits.reshape(B * H * A, c.tokenBins),
      tensor(target, { shape: [B * H * A], dtype: 'int64' }),
      {
        ignoreIndex: -100,
      },
    );
    const aux = this.backbone.auxLoss(prefix, b, maps);
    this.lastAuxLoss = aux?.item();
    // A batch of perception-only frames has no supervised bin (the mean over none would be NaN).
    const actionLoss = supervised ? ce : logits.sum().mul(0);
    return aux ? actionLoss.add(aux) : actionLoss;
  }

  forward(b: TensorBatch): Tensor {
    return this.sampleActions(b);
  }

  /** Greedy autoregressive decoding over H steps → normalized padded actions [B, H, A]. */
  sampleActions(b: TensorBatch, dimMaskArr?: Float32Array): Tensor {
    return noGrad(() =>
      scope(() => {
        const c = this.config;
        const B = b.size;
        const H = c.horizon;
        const A = c.maxActionDim;
        const R = binRange(c);
        const dimMask = dimMaskArr ? tensor(dimMaskArr, { shape: [B, 1, A] }) : ones([B, 1, A]);
        const ids = new BigInt64Array(B * H * A);
        for (let i = 0; i < ids.length; i++) ids[i] = BigInt((i % A) * c.tokenBins + c.tokenBins / 2);
        const values = new Float32Array(B * H * A);
        for (let k = 0; k < H; k++) {
          const best = scope(() => {
            const lg = this.logits(b, tensor(ids, { shape: [B, H, A], dtype: 'int64' }), dimMask).logits;
            return lg.narrow(1, k, 1).argmax(3).toArray() as BigInt64Array; // [B, 1, A]
          });
          for (let bi = 0; bi < B; bi++) {
            for (let a = 0; a < A; a++) {
              const bin = Number(best[bi * A + a]);
              const i = (bi * H + k) * A + a;
              ids[i] = BigInt(a * c.tokenBins + bin);
              values[i] = fromBin(bin, c.tokenBins, R);
            }
          }
        }
        return tensor(values, { shape: [B, H, A] });
      }),
    );
  }
}
