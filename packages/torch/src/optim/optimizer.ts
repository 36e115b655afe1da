/** Shared optimizer plumbing: parameter lists (optionally named), state save/load. */
import { ValidationError } from '@robofm/core';
import { zeros } from '../creation.ts';
import { TorchError } from '../errors.ts';
import { N } from '../native.ts';
import { keep } from '../scope.ts';
import { Tensor } from '../tensor.ts';

/** Parameters as tensors or as `[name, tensor]` pairs (e.g. `model.namedParameters()`). */
export type ParamsInput = Iterable<Tensor> | Iterable<[string, Tensor]>;

/** What `stateDict()` returns: step count, hyper-parameters and the state tensors by name. */
export interface OptimizerState {
  step: number;
  hyper: Record<string, number | number[] | boolean>;
  /** Live references to the optimizer's own tensors (save them; do not dispose them). */
  tensors: Record<string, Tensor>;
}

export abstract class Optimizer {
  readonly params: Tensor[];
  readonly names: string[];
  /** Number of completed steps. */
  stepCount = 0;
  lr: number;

  constructor(params: ParamsInput, lr: number) {
    const list = [...params] as (Tensor | [string, Tensor])[];
    this.params = list.map((p, i) => {
      const t = Array.isArray(p) ? p[1] : p;
      if (!(t instanceof Tensor)) throw new ValidationError(`params[${i}]`, t, 'a Tensor or [name, Tensor]');
      return t;
    });
    this.names = list.map((p, i) => (Array.isArray(p) ? p[0] : String(i)));
    if (new Set(this.names).size !== this.names.length)
      throw new ValidationError('params', 'duplicate names', 'unique names');
    if (!(lr >= 0)) throw new ValidationError('lr', lr, 'a non-negative number');
    this.lr = lr;
  }

  abstract step(): void;

  /** Drops all parameter gradients (set to none). */
  zeroGrad(): void {
    N.zeroGrad(this.params.map((p) => p.id));
  }

  protected ids(): number[] {
    return this.params.map((p) => p.id);
  }

  /** Zero state buffers shaped like each parameter (kept: owned by the optimizer). */
  protected makeState(): Tensor[] {
    return this.params.map((p) => keep(zeros(p.shape, { dtype: p.dtype, device: p.device })));
  }

  protected abstract stateTensors(): Record<string, Tensor[]>;
  protected abstract hyper(): Record<string, number | number[] | boolean>;
  protected abstract setHyper(h: Record<string, number | number[] | boolean>): void;

  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    for (const [kind, list] of Object.entries(this.stateTensors()))
      list.forEach((t, i) => {
        tensors[`${this.names[i]}.${kind}`] = t;
      });
    return { step: this.stepCount, hyper: { lr: this.lr, ...this.hyper() }, tensors };
  }

  /** Restores state saved by `stateDict()` (values copied in); every key must match. */
  loadStateDict(sd: OptimizerState): void {
    const own = this.stateTensors();
    const missing: string[] = [];
    const mismatched: string[] = [];
    const dst: number[] = [];
    const src: number[] = [];
    const expected = new Set<string>();
    for (const [kind, list] of Object.entries(own))
      list.forEach((t, i) => {
        const key = `${this.names[i]}.${kind}`;
        expected.add(key);
        const s = sd.tensors[key];
        if (!s) missing.push(key);
        else if (s.shape.join(',') !== t.shape.join(','))
          mismatched.push(`${key}: saved [${s.shape.join(', ')}] vs [${t.shape.join(', ')}]`);
        else {
          dst.push(t.id);
          src.push(s.id);
        }
      });
    const unexpected = Object.keys(sd.tensors).filter((k) => !expected.has(k));
    if (missing.length || unexpected.length || mismatched.length) {
      throw new TorchError(
        'state_dict_mismatch',
        'Optimizer.loadStateDict',
        [
          missing.length ? `missing keys: ${missing.join(', ')}` : '',
          unexpected.length ? `unexpected keys: ${unexpected.join(', ')}` : '',
          mismatched.length ? `shape mismatches: ${mismatched.join('; ')}` : '',
        ]
          .filter(Boolean)
          .join(' | '),
      );
    }
    N.copyMany(dst, src);
    this.stepCount = sd.step;
    const { lr, ...rest } = sd.hyper;
    if (typeof lr === 'number') this.lr = lr;
    this.setHyper(rest);
  }

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const list of Object.values(this.stateTensors())) for (const t of list) t.dispose();
  }
}
