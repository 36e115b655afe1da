import { ValidationError } from '@robofm/core';
import { N } from '../native.ts';
import type { Tensor } from '../tensor.ts';
import { Optimizer, type ParamsInput } from './optimizer.ts';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * AdamW (decoupled weight decay), the same per-tensor arithmetic as torch.optim.AdamW, run in one
 * native call per step. State: `exp_avg`, `exp_avg_sq` per parameter; one shared step count.
 */
export class AdamW extends Optimizer {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  private m: Tensor[];
  private v: Tensor[];

  constructor(params: ParamsInput, opts: AdamWOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 1e-2;
    for (const [i, b] of this.betas.entries())
      if (!(b >= 0 && b < 1)) throw new ValidationError(`betas[${i}]`, b, 'a number in [0, 1)');
    this.m = this.makeState();
    this.v = this.makeState();
  }

  step(): void {
    this.stepCount++;
    N.adamwStep(
      this.ids(),
      this.m.map((t) => t.id),
      this.v.map((t) => t.id),
      this.stepCount,
      this.lr,
      this.betas[0],
      this.betas[1],
      this.eps,
      this.weightDecay,
    );
  }

  protected stateTensors(): Record<string, Tensor[]> {
    return { exp_avg: this.m, exp_avg_sq: this.v };
  }
  protected hyper(): Record<string, number | number[] | boolean> {
    return { beta1: this.betas[0], beta2: this.betas[1], eps: this.eps, weightDecay: this.weightDecay };
  }
  protected setHyper(h: Record<string, number | number[] | boolean>): void {
    if (typeof h.beta1 === 'number' && typeof h.beta2 === 'number') this.betas = [h.beta1, h.beta2];
    if (typeof h.eps === 'number') this.eps = h.eps;
    if (typeof h.weightDecay === 'number') this.weightDecay = h.weightDecay;
  }
}
