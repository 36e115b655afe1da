import {
  F,
  type Generator,
  nn,
  type Tensor,
  arange,
  cat,
  noGrad,
  ones,
  randn,
  scope,
  tensor,
} from '@robofm/torch';
import type { ModelConfig } from './config.ts';
import { type KeypointMaps, PrefixEncoder, type Readouts, type TensorBatch, smallInit } from './backbone.ts';
import { ExpertBlock, type PrefixKv, sinusoidalEmbedding } from './layers.ts';
import type { Rng } from '@robofm/core';

/** Draws flow-matching times t ~ Beta(1.5, 1) scaled to [0.001, 1] (π0). Beta(a, 1) = U^(1/a). */
export function sampleFlowTimes(rng: Rng, n: number): Float32Array {
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) t[i] = 0.001 + 0.999 * rng.next() ** (1 / 1.5);
  return t;
}

/**
 * The second-generation VLA: backbone prefix + a flow-matching action expert (π0). The expert sees
 * x_t (a noisy action chunk) and t, attends to the prefix, and predicts the velocity
 * u = noise − actions; sampling integrates dx/dt = v from t = 1 (noise) to t = 0 in `flowSteps`
 * Euler steps, reusing the prefix keys/values of every expert layer across steps.
 */
export class FlowVla extends nn.Module {
  backbone: PrefixEncoder;
  /** The weighted auxiliary loss of the last `computeLoss` (undefined without the auxiliary task). */
  lastAuxLoss: number | undefined;
  actionIn: nn.Linear;
  timeMlpIn: nn.Linear;
  timeMlpOut: nn.Linear;
  actionPos: nn.Embedding;
  expert: ExpertBlock[];
  lnOut: nn.LayerNorm;
  actionOut: nn.Linear;

  constructor(readonly config: ModelConfig) {
    super();
    const c = config;
    const E = c.expertDim;
    this.backbone = new PrefixEncoder(c);
    this.actionIn = new nn.Linear(c.maxActionDim, E);
    this.timeMlpIn = new nn.Linear(2 * E, E);
    this.timeMlpOut = new nn.Linear(E, E);
    this.actionPos = new nn.Embedding(c.horizon, E);
    smallInit(this.actionPos);
    this.expert = Array.from(
      { length: c.expertLayers },
      () => new ExpertBlock(E, c.dModel, c.expertHeads, c.mlpRatio),
    );
    this.lnOut = new nn.LayerNorm(E);
    this.actionOut = new nn.Linear(E, c.maxActionDim);
  }

  /** Velocity v(x_t, t) [B, H, A] given the cached prefix. `t`: one time per batch row. */
  private velocity(xt: Tensor, t: Float32Array, cache: PrefixKv[], mask: Tensor): Tensor {
    const [B, H] = xt.shape;
    const E = this.config.expertDim;
    const temb = tensor(sinusoidalEmbedding(t, E), { shape: [B, 1, E] }).expand(B, H, E);
    const a = this.actionIn.forward(xt); // [B, H, E]
    let x = this.timeMlpOut.forward(F.silu(this.timeMlpIn.forward(cat([a, temb], 2))));
    x = x.add(this.actionPos.forward(arange(0, H, 1, { dtype: 'int64' })).unsqueeze(0));
    this.expert.forEach((blk, i) => {
      x = blk.forward(x, cache[i], mask);
    });
    return this.actionOut.forward(this.lnOut.forward(x)); // [B, H, A]
  }

  /** `teacher`: training with `geometryTeacher` (the geometry token reads the batch's labels). */
  private prefixCache(
    b: TensorBatch,
    teacher = false,
  ): {
    cache: PrefixKv[];
    mask: Tensor;
    prefix: Tensor;
    maps?: KeypointMaps;
    readouts: Readouts;
  } {
    const { prefix, mask, maps } = this.backbone.forward(b);
    const H = this.config.horizon;
    const B = b.size;
    // With learned kinematics the expert also reads the geometry token, after the backbone's prefix.
    const readouts = this.backbone.readouts(prefix, b, maps, this.config.eeDim > 0);
    const geo = this.backbone.geometryToken(teacher ? this.backbone.teacherReadouts(b, readouts) : readouts);
    const kv = geo ? cat([prefix, geo], 1) : prefix;
    const full = cat([mask, ones([B, H + (geo ? 1 : 0)], { dtype: 'bool' })], 1)
      .unsqueeze(1)
      .unsqueeze(1); // [B, 1, 1, P (+ 1) + H]
    return { cache: this.expert.map((blk) => blk.cache(kv)), mask: full, prefix, maps, readouts };
  }

  /**
   * Flow-matching loss: MSE between predicted and true velocity on supervised (unmasked) entries.
   * `rng` draws t; `generator` draws the noise (both seeded per step for exact resume).
   */
  computeLoss(b: TensorBatch, rng: Rng, generator?: Generator): Tensor {
    if (!b.actions || !b.actionMask) throw new Error('computeLoss needs a batch with actions');
    const { cache, mask, prefix, maps, readouts } = this.prefixCache(b, this.config.geometryTeacher);
    const t = sampleFlowTimes(rng, b.size);
    const tt = tensor(t, { shape: [b.size, 1, 1] });
    const noise = randn(b.actions.shape, { generator });
    const xt = noise.mul(tt).add(b.actions.mul(tt.neg().add(1))); // t·noise + (1−t)·actions
    const target = noise.sub(b.actions);
    const v = this.velocity(xt, t, cache, mask);
    const se = v.sub(target).pow(2).mul(b.actionMask);
    const flow = se.sum().div(b.actionMask.sum().clamp(1));
    const aux = this.backbone.auxLoss(prefix, b, maps, readouts);
    this.lastAuxLoss = aux?.item();
    return aux ? flow.add(aux) : flow;
  }

  forward(b: TensorBatch, generator?: Generator): Tensor {
    return this.sampleActions(b, generator);
  }

  /** 10 (flowSteps) Euler steps from noise → normalized padded actions [B, H, A]. */
  sampleActions(b: TensorBatch, generator?: Generator): Tensor {
    return noGrad(() =>
      scope(() => {
        const c = this.config;
        const { cache, mask } = this.prefixCache(b);
        let x = randn([b.size, c.horizon, c.maxActionDim], { generator });
        const dt = -1 / c.flowSteps;
        for (let k = 0; k < c.flowSteps; k++) {
          const t = new Float32Array(b.size).fill(1 + k * dt);
          const prev = x;
          x = scope(() => prev.add(this.velocity(prev, t, cache, mask).mul(dt)));
          prev.dispose();
        }
        return x;
      }),
    );
  }
}
