import { ValidationError } from '@robofm/core';
import { TorchError } from '../errors.ts';
import { N } from '../native.ts';
import type { Module } from '../nn/module.ts';
import { keep } from '../scope.ts';
import type { Tensor } from '../tensor.ts';

/** Exponential moving average of a module's parameters and buffers (shadow = decay·shadow + (1-decay)·param). */
export class EMA {
  readonly names: string[];
  private readonly shadow: Tensor[];
  private readonly source: Tensor[];
  updates = 0;

  constructor(
    module: Module,
    public decay = 0.999,
  ) {
    if (!(decay >= 0 && decay <= 1)) throw new ValidationError('decay', decay, 'a number in [0, 1]');
    const named = module.namedStateTensors();
    this.names = named.map(([n]) => n);
    this.source = named.map(([, t]) => t);
    this.shadow = named.map(([, t]) => {
      const d = t.detach();
      const c = keep(d.clone());
      d.dispose();
      return c;
    });
  }

  /** One EMA step from the module's current values. */
  update(): void {
    N.emaUpdate(
      this.shadow.map((t) => t.id),
      this.source.map((t) => t.id),
      this.decay,
    );
    this.updates++;
  }

  /** Copies the averaged values into `module` (same architecture). */
  copyTo(module: Module): void {
    module.loadStateDict(this.stateDict().tensors);
  }

  /** Live references to the shadow tensors by name (save them; do not dispose them). */
  stateDict(): { decay: number; updates: number; tensors: Record<string, Tensor> } {
    return {
      decay: this.decay,
      updates: this.updates,
      tensors: Object.fromEntries(this.names.map((n, i) => [n, this.shadow[i]])),
    };
  }

  loadStateDict(sd: { decay?: number; updates?: number; tensors: Record<string, Tensor> }): void {
    const missing = this.names.filter((n) => !sd.tensors[n]);
    const unexpected = Object.keys(sd.tensors).filter((k) => !this.names.includes(k));
    if (missing.length || unexpected.length)
      throw new TorchError(
        'state_dict_mismatch',
        'EMA.loadStateDict',
        `missing keys: ${missing.join(', ') || 'none'} | unexpected keys: ${unexpected.join(', ') || 'none'}`,
      );
    N.copyMany(
      this.shadow.map((t) => t.id),
      this.names.map((n) => sd.tensors[n].id),
    );
    if (sd.decay !== undefined) this.decay = sd.decay;
    if (sd.updates !== undefined) this.updates = sd.updates;
  }

  dispose(): void {
    for (const t of this.shadow) t.dispose();
  }
}
