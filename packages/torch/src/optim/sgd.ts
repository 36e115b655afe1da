import { N } from '../native.ts';
import type { Tensor } from '../tensor.ts';
import { Optimizer, type ParamsInput } from './optimizer.ts';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** SGD with momentum (torch.optim.SGD arithmetic). State: `momentum_buffer` per parameter. */
export class SGD extends Optimizer {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  private bufs: Tensor[];

  constructor(params: ParamsInput, opts: SGDOptions = {}) {
    super(params, opts.lr ?? 1e-2);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.bufs = this.momentum !== 0 ? this.makeState() : [];
  }

  step(): void {
    N.sgdStep(
      this.ids(),
      this.bufs.map((t) => t.id),
      this.lr,
      this.momentum,
      this.dampening,
      this.weightDecay,
      this.nesterov,
      this.stepCount > 0,
    );
    this.stepCount++;
  }

  protected stateTensors(): Record<string, Tensor[]> {
    return this.momentum !== 0 ? { momentum_buffer: this.bufs } : {};
  }
  protected hyper(): Record<string, number | number[] | boolean> {
    return {
      momentum: this.momentum,
      dampening: this.dampening,
      weightDecay: this.weightDecay,
      nesterov: this.nesterov,
    };
  }
  protected setHyper(h: Record<string, number | number[] | boolean>): void {
    if (typeof h.dampening === 'number') this.dampening = h.dampening;
    if (typeof h.weightDecay === 'number') this.weightDecay = h.weightDecay;
    if (typeof h.nesterov === 'boolean') this.nesterov = h.nesterov;
  }
}
