/**
 * `VecEnv`: N `SimEnv`s spread over worker threads (each with its own MuJoCo module), stepped in
 * lockstep. Gymnasium vector semantics with same-step auto-reset: when an env ends, its result
 * carries the reset observation in `obs` and the final one in `info.final_obs`.
 * Env i's episodes use scene seeds seed+i, seed+i+N, seed+i+2N, ...
 */
import { cpus } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  type EmbodimentSpec,
  type Observation,
  RobofmError,
  type StepResult,
  startWorker,
  ValidationError,
} from '@robofm/core';
import type { SimEnvOptions } from './env.ts';

export interface VecEnvOptions {
  /** Number of environments. */
  n: number;
  /** Worker threads (default min(n, CPU count)). */
  workers?: number;
  /** Options of every env; `task` must be a registered name (definitions cannot cross threads). */
  env: Omit<SimEnvOptions, 'task'> & { task?: string };
  /** Modules each worker imports before building envs (e.g. a module that registers tasks). */
  imports?: string[];
  /** Reset an env as soon as it ends (default true). */
  autoReset?: boolean;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

class WorkerHandle {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  constructor(
    readonly worker: Worker,
    readonly indices: number[],
  ) {
    worker.on(
      'message',
      (m: { id: number; ok: boolean; result?: unknown; error?: Record<string, string> }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(rebuildError(m.error ?? {}));
      },
    );
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', (code) => {
      if (this.pending.size)
        this.failAll(new RobofmError('vec_env_worker_exit', `a VecEnv worker exited (code ${code})`));
    });
  }
  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
  call<T>(msg: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }
}

function rebuildError(e: Record<string, string>): Error {
  if (e.name === 'ValidationError' && e.field) {
    const err = new ValidationError(e.field, undefined, e.expected ?? '');
    err.message = e.message;
    return err;
  }
  return new RobofmError(e.code ?? 'vec_env_worker', e.message ?? 'worker error');
}

export class VecEnv {
  readonly n: number;
  readonly spec: EmbodimentSpec;
  private readonly handles: WorkerHandle[];
  private readonly autoReset: boolean;
  private closed = false;

  private constructor(n: number, spec: EmbodimentSpec, handles: WorkerHandle[], autoReset: boolean) {
    this.n = n;
    this.spec = spec;
    this.handles = handles;
    this.autoReset = autoReset;
  }

  static async create(opts: VecEnvOptions): Promise<VecEnv> {
    if (!Number.isInteger(opts.n) || opts.n <= 0)
      throw new ValidationError('n', opts.n, 'a positive integer');
    const nw = opts.workers ?? Math.min(opts.n, Math.max(1, cpus().length));
    if (!Number.isInteger(nw) || nw <= 0 || nw > opts.n)
      throw new ValidationError('workers', opts.workers, `an integer in [1, ${opts.n}]`);
    if (opts.env.task !== undefined && typeof opts.env.task !== 'string')
      throw new ValidationError('env.task', opts.env.task, 'a registered task name (a string)');
    const groups: number[][] = Array.from({ length: nw }, () => []);
    for (let i = 0; i < opts.n; i++) groups[i % nw].push(i);
    const handles = groups.map(
      (g) => new WorkerHandle(startWorker(new URL('./vec-env-worker.ts', import.meta.url)), g),
    );
    try {
      const inits = await Promise.all(
        handles.map((h) =>
          h.call<{ spec: EmbodimentSpec }>({
            type: 'init',
            options: opts.env,
            count: h.indices.length,
            imports: opts.imports ?? [],
          }),
        ),
      );
      return new VecEnv(opts.n, inits[0].spec, handles, opts.autoReset ?? true);
    } catch (e) {
      await Promise.all(handles.map((h) => h.worker.terminate()));
      throw e;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RobofmError('sim_disposed', 'this VecEnv was closed');
  }

  /** Resets every env; env i gets scene seed `seed + i` (default seed 0). */
  async reset(opts: { seed?: number; options?: Record<string, unknown> } = {}): Promise<{
    obs: Observation[];
    infos: Record<string, unknown>[];
  }> {
    this.assertOpen();
    const seed = opts.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0)
      throw new ValidationError('seed', opts.seed, 'a non-negative integer');
    const parts = await Promise.all(
      this.handles.map((h) =>
        h.call<Array<{ obs: Observation; info: Record<string, unknown> }>>({
          type: 'reset',
          seeds: h.indices.map((i) => seed + i),
          stride: this.n,
          options: opts.options,
        }),
      ),
    );
    const obs: Observation[] = new Array(this.n);
    const infos: Record<string, unknown>[] = new Array(this.n);
    for (const [k, h] of this.handles.entries()) {
      for (const [j, i] of h.indices.entries()) {
        obs[i] = parts[k][j].obs;
        infos[i] = parts[k][j].info;
      }
    }
    return { obs, infos };
  }

  /** Steps every env with its action (`actions[i]` for env i). */
  async step(actions: Float32Array[]): Promise<StepResult[]> {
    this.assertOpen();
    if (!Array.isArray(actions) || actions.length !== this.n)
      throw new ValidationError('actions', actions, `an array of ${this.n} Float32Arrays`);
    const parts = await Promise.all(
      this.handles.map((h) =>
        h.call<StepResult[]>({
          type: 'step',
          actions: h.indices.map((i) => actions[i]),
          autoReset: this.autoReset,
        }),
      ),
    );
    const out: StepResult[] = new Array(this.n);
    for (const [k, h] of this.handles.entries()) {
      for (const [j, i] of h.indices.entries()) out[i] = parts[k][j];
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.handles.map(async (h) => {
        try {
          await h.call({ type: 'close' });
        } finally {
          await h.worker.terminate();
        }
      }),
    );
  }
}
