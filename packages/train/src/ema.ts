import { type Tensor, noGrad, scope } from '@robofm/torch';

/**
 * Exponential moving average of parameters: ema ← decay·ema + (1 − decay)·param after each
 * optimizer step. With `warmup`, the effective decay is min(decay, (1 + n) / (10 + n)) so early
 * averages are not dominated by the random init.
 */
export class Ema {
  readonly shadow = new Map<string, Tensor>();
  updates = 0;

  constructor(
    params: Iterable<[string, Tensor]>,
    readonly decay: number,
  ) {
    noGrad(() => {
      for (const [name, p] of params) this.shadow.set(name, p.detach().clone());
    });
  }

  update(params: Iterable<[string, Tensor]>): void {
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    noGrad(() => {
      for (const [name, p] of params) {
        const old = this.shadow.get(name);
        if (!old) continue;
        const next = scope(() => old.mul(d).add(p.detach().mul(1 - d)));
        this.shadow.set(name, next);
        old.dispose();
      }
    });
    this.updates++;
  }

  /** The averaged weights by parameter name (live tensors owned by this EMA). */
  weights(): Record<string, Tensor> {
    return Object.fromEntries(this.shadow);
  }

  /** Replaces the averages (resume); takes ownership of copies. */
  load(weights: Record<string, Tensor>, updates: number): void {
    noGrad(() => {
      for (const [name, t] of Object.entries(weights)) {
        if (!this.shadow.has(name)) continue;
        this.shadow.get(name)!.dispose();
        this.shadow.set(name, t.clone());
      }
    });
    this.updates = updates;
  }

  dispose(): void {
    for (const t of this.shadow.values()) t.dispose();
    this.shadow.clear();
  }
}
