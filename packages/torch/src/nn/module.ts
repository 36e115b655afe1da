/**
 * `Module`: parameters and submodules are plain fields; names are field paths
 * (`blocks.3.attn.qkv.weight`), which are also the state-dict / safetensors keys.
 */
import { ValidationError } from '@robofm/core';
import type { Device } from '../dtype.ts';
import { TorchError } from '../errors.ts';
import { N } from '../native.ts';
import { keep } from '../scope.ts';
import { Tensor } from '../tensor.ts';

/** Marks `t` as a trainable parameter owned by a module (requiresGrad, never freed by a scope). */
export function parameter(t: Tensor): Tensor {
  t.isParameter = true;
  N.setRequiresGrad(t.id, true);
  return keep(t);
}

/** Marks `t` as a non-trainable buffer owned by a module (in the state dict, never freed by a scope). */
export function buffer(t: Tensor): Tensor {
  return keep(t);
}

export interface LoadResult {
  missing: string[];
  unexpected: string[];
}

const SKIP = new Set(['training']);

export abstract class Module {
  training = true;

  // biome-ignore lint/suspicious/noExplicitAny: modules take and return anything
  abstract forward(...args: any[]): any;

  /** Direct submodules with their field names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (SKIP.has(k) || k.startsWith('_')) continue;
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v))
        v.forEach((m, i) => {
          if (m instanceof Module) out.push([`${k}.${i}`, m]);
        });
    }
    return out;
  }

  /** Own tensors (parameters and buffers) with their field names. */
  namedTensors(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (SKIP.has(k) || k.startsWith('_')) continue;
      if (v instanceof Tensor) out.push([k, v]);
      else if (Array.isArray(v))
        v.forEach((t, i) => {
          if (t instanceof Tensor) out.push([`${k}.${i}`, t]);
        });
    }
    return out;
  }

  /** Every tensor of this module tree (parameters and buffers), named by field path. */
  namedStateTensors(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, t] of this.namedTensors()) out.push([prefix + k, t]);
    for (const [k, m] of this.namedChildren()) out.push(...m.namedStateTensors(`${prefix}${k}.`));
    return out;
  }

  namedParameters(prefix = ''): [string, Tensor][] {
    return this.namedStateTensors(prefix).filter(([, t]) => t.isParameter);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    return this.namedStateTensors(prefix).filter(([, t]) => !t.isParameter);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel(), 0);
  }

  modules(): Module[] {
    return [this, ...this.namedChildren().flatMap(([, m]) => m.modules())];
  }

  /**
   * Parameters and buffers by field path. The values are the module's OWN tensors (live, not copies):
   * save or read them, do not dispose them.
   */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedStateTensors());
  }

  /**
   * Copies values from `sd` into this module's tensors (cast to their dtype/device). Shape mismatches
   * always fail; with `strict` (default) missing or unexpected keys fail too. The error lists every
   * missing, unexpected and mismatched key.
   */
  loadStateDict(sd: Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const own = this.namedStateTensors();
    const missing: string[] = [];
    const mismatched: string[] = [];
    const dst: number[] = [];
    const src: number[] = [];
    const seen = new Set<string>();
    for (const [k, t] of own) {
      const s = sd[k];
      if (s === undefined) {
        missing.push(k);
        continue;
      }
      seen.add(k);
      if (!(s instanceof Tensor)) {
        mismatched.push(`${k}: not a Tensor`);
        continue;
      }
      const a = t.shape;
      const b = s.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        mismatched.push(`${k}: checkpoint [${b.join(', ')}] vs model [${a.join(', ')}]`);
        continue;
      }
      dst.push(t.id);
      src.push(s.id);
    }
    const unexpected = Object.keys(sd).filter((k) => !seen.has(k));
    if (mismatched.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
      const parts: string[] = [];
      if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
      if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
      if (mismatched.length) parts.push(`shape mismatches: ${mismatched.join('; ')}`);
      const err = new TorchError('state_dict_mismatch', 'loadStateDict', parts.join(' | '));
      Object.assign(err, { missing, unexpected, mismatched });
      throw err;
    }
    N.copyMany(dst, src);
    return { missing, unexpected };
  }

  /** Training mode on (dropout active) for the whole tree. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops the gradients of all parameters. */
  zeroGrad(): void {
    N.zeroGrad(this.parameters().map((p) => p.id));
  }

  /** Moves every parameter and buffer to `device` (replacing the field's tensor). */
  to(device: Device): this {
    for (const m of this.modules()) {
      for (const [k, v] of Object.entries(m)) {
        const rec = m as unknown as Record<string, unknown>;
        if (v instanceof Tensor) rec[k] = moved(v, device);
        else if (Array.isArray(v)) rec[k] = v.map((t) => (t instanceof Tensor ? moved(t, device) : t));
      }
    }
    return this;
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const [, t] of this.namedStateTensors()) t.dispose();
  }
}

function moved(t: Tensor, device: Device): Tensor {
  if (t.device === device) return t;
  const n = t.detach();
  const m = n.to(device);
  n.dispose();
  if (t.isParameter) parameter(m);
  else buffer(m);
  t.dispose();
  return m;
}

/** A list of modules named by index (`blocks.0`, `blocks.1`, ...). */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[];
  constructor(items: M[] = []) {
    super();
    this.items = [...items];
  }
  override namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }
  get length(): number {
    return this.items.length;
  }
  get(i: number): M {
    const m = this.items[i < 0 ? this.items.length + i : i];
    if (!m) throw new ValidationError('index', i, `an index in [0, ${this.items.length})`);
    return m;
  }
  push(m: M): void {
    this.items.push(m);
  }
  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new TorchError(
      'not_implemented',
      'ModuleList.forward',
      'a ModuleList has no forward; iterate its items',
    );
  }
}

/** Modules applied in order; named by index. */
export class Sequential extends Module {
  readonly items: Module[];
  constructor(...items: Module[]) {
    super();
    this.items = items;
  }
  override namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.items) h = m.forward(h);
    return h;
  }
}
