import { type ActionChunk, type Logger, type Observation, type Policy, RobofmError } from '@robofm/core';
import { DEFAULT_LAYOUTS, type ModelInputSpec, type RequestLayout } from '@robofm/protocol';
import { type BatchOptions, type BatchResult, DynamicBatcher } from './batcher.ts';
import type { ServerMetrics } from './metrics.ts';

/** One model the server hosts. */
export interface ModelSpec {
  policy: Policy;
  /** Id clients use (default `policy.metadata.id`). */
  id?: string;
  /** Request key mappings tried for requests that do not name an embodiment (default: ALOHA). */
  layouts?: RequestLayout[];
  /** Loads a fresh policy for hot reload (e.g. the newest checkpoint in a run directory). */
  load?: () => Promise<Policy>;
  /** Per-model batching (default: the server's). */
  batch?: BatchOptions;
}

/**
 * A hosted model: its current policy, its batcher and its input spec. Hot reload swaps the policy
 * between batches: requests already in a batch finish on the old policy, the next batch uses the
 * new one, connections stay open. The old policy is disposed once its last batch is done.
 */
export class ServedModel {
  readonly id: string;
  readonly layouts: RequestLayout[];
  readonly batcher: DynamicBatcher;
  private current: Policy;
  private readonly load?: () => Promise<Policy>;
  private reloading: Promise<void> | null = null;
  /** Bumped by every successful reload. */
  version = 1;
  loadedAt = new Date();

  constructor(
    spec: ModelSpec,
    batch: BatchOptions,
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
    private readonly warmUpOnReload = false,
  ) {
    this.current = spec.policy;
    this.id = spec.id ?? spec.policy.metadata.id;
    this.layouts = spec.layouts ?? DEFAULT_LAYOUTS;
    this.load = spec.load;
    this.batcher = new DynamicBatcher(
      () => this.current,
      spec.batch ?? batch,
      (s) => {
        this.metrics.batchSize.observe({ model: this.id }, s.size);
        this.metrics.inferDuration.observe({ model: this.id }, s.inferMs / 1000);
        for (const q of s.queueMs) this.metrics.queueDuration.observe({ model: this.id }, q / 1000);
      },
    );
  }

  get policy(): Policy {
    return this.current;
  }

  get canReload(): boolean {
    return this.load !== undefined;
  }

  inputSpec(): ModelInputSpec {
    return { embodiments: this.current.metadata.embodiments, layouts: this.layouts };
  }

  /** Runs one observation through the batcher and checks the chunk against the metadata. */
  async infer(obs: Observation, timeoutMs: number): Promise<BatchResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RobofmError('deadline_exceeded', `model ${this.id}: no result within ${timeoutMs} ms`, {
              status: 504,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      const r = await Promise.race([this.batcher.submit(obs), deadline]);
      checkChunk(r.chunk, this.current.metadata.embodiments[obs.embodiment]?.actionDim, this.id);
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Hot reload: `next` or a fresh policy from the model's loader. Concurrent reloads share one.
   * Throws (and keeps serving the old policy) when loading fails.
   */
  async reload(next?: Policy): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      try {
        let policy = next;
        if (!policy) {
          if (!this.load)
            throw new RobofmError(
              'failed_precondition',
              `model ${this.id}: got no loader, expected one to reload`,
              {
                status: 409,
              },
            );
          policy = await this.load();
        }
        // A checkpoint that loads but cannot infer never goes live; warm-up also keeps the first
        // requests after the swap from paying for lazy initialization.
        if (this.warmUpOnReload) await warmUp(policy);
        const old = this.current;
        this.current = policy;
        this.version++;
        this.loadedAt = new Date();
        this.metrics.reloads.inc({ model: this.id, outcome: 'ok' });
        this.log.info('model reloaded', { model: this.id, version: this.version });
        if (old !== policy) void this.disposeWhenIdle(old);
      } catch (e) {
        this.metrics.reloads.inc({ model: this.id, outcome: 'error' });
        this.log.error('model reload failed', { model: this.id, err: e });
        throw e;
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async disposeWhenIdle(old: Policy): Promise<void> {
    // A batch that started before the swap may still hold `old`; wait for the batcher to go idle.
    for (let i = 0; i < 6000 && this.batcher.isBusy; i++) await new Promise((r) => setTimeout(r, 5));
    try {
      await old.dispose?.();
    } catch (e) {
      this.log.warn('dispose of previous policy failed', { model: this.id, err: e });
    }
  }

  async close(): Promise<void> {
    this.batcher.close();
    try {
      await this.current.dispose?.();
    } catch (e) {
      this.log.warn('dispose failed', { model: this.id, err: e });
    }
  }
}

/** One inference per embodiment on a blank observation (zeros, black images); throws when one fails. */
export async function warmUp(policy: Policy): Promise<void> {
  for (const [name, e] of Object.entries(policy.metadata.embodiments)) {
    const images: Record<string, Uint8Array> = {};
    for (const c of e.cameras) images[c.name] = new Uint8Array(c.width * c.height * 3);
    const chunk = await policy.infer({
      embodiment: name,
      images,
      state: new Float32Array(e.stateDim),
      instruction: '',
    });
    checkChunk(chunk, e.actionDim, policy.metadata.id);
  }
}

function checkChunk(c: ActionChunk, actionDim: number | undefined, id: string): void {
  const bad = (what: string) => new RobofmError('policy_error', `model ${id} returned a bad chunk: ${what}`);
  if (!c || !(c.actions instanceof Float32Array)) throw bad('actions is not a Float32Array');
  if (c.actions.length !== c.horizon * c.actionDim)
    throw bad(
      `actions has ${c.actions.length} values, expected horizon*actionDim = ${c.horizon * c.actionDim}`,
    );
  if (actionDim !== undefined && c.actionDim !== actionDim)
    throw bad(`actionDim ${c.actionDim}, expected ${actionDim}`);
  for (let i = 0; i < c.actions.length; i++)
    if (!Number.isFinite(c.actions[i])) throw bad(`actions[${i}] = ${c.actions[i]}`);
}
