import { type ActionChunk, type Observation, type Policy, RobofmError } from '@robofm/core';

export interface BatchOptions {
  /** Most requests per policy call (1 turns batching off). */
  maxBatch: number;
  /** Longest a request waits for others to join its batch (ms). */
  maxWaitMs: number;
}

/**
 * Default: greedy batching. An idle model starts on a request at once (no added latency); requests
 * that arrive while it is busy queue and ride together in the next call.
 */
export const DEFAULT_BATCH: BatchOptions = { maxBatch: 16, maxWaitMs: 0 };

export interface BatchResult {
  chunk: ActionChunk;
  /** Time from submit until its batch started (ms). */
  queueMs: number;
  /** Time inside the policy call for the whole batch (ms). */
  inferMs: number;
  batchSize: number;
}

interface Pending {
  obs: Observation;
  at: number;
  resolve: (r: BatchResult) => void;
  reject: (e: unknown) => void;
}

export interface BatchStats {
  size: number;
  inferMs: number;
  queueMs: number[];
}

/**
 * Dynamic batching across connections for one model: requests queue up; a batch starts when
 * `maxBatch` requests of one embodiment wait, or the oldest has waited `maxWaitMs`. One policy call
 * runs at a time (the model is one device). Uses `Policy.inferBatch` when the policy has it.
 * The policy is looked up per batch, so a hot reload takes effect at the next batch.
 */
export class DynamicBatcher {
  private queue: Pending[] = [];
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly getPolicy: () => Policy,
    private options: BatchOptions,
    private readonly onBatch: (s: BatchStats) => void = () => {},
  ) {
    validateBatchOptions(options);
  }

  get pending(): number {
    return this.queue.length;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  setOptions(options: BatchOptions): void {
    validateBatchOptions(options);
    this.options = options;
  }

  submit(obs: Observation): Promise<BatchResult> {
    if (this.closed)
      return Promise.reject(new RobofmError('unavailable', 'model is shutting down', { status: 503 }));
    return new Promise<BatchResult>((resolve, reject) => {
      this.queue.push({ obs, at: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Rejects everything queued and refuses new work. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const q = this.queue;
    this.queue = [];
    for (const p of q) p.reject(new RobofmError('unavailable', 'model is shutting down', { status: 503 }));
  }

  private schedule(): void {
    if (this.busy || this.queue.length === 0) return;
    const { maxBatch, maxWaitMs } = this.options;
    const waited = performance.now() - this.queue[0].at;
    if (maxBatch <= 1 || this.queue.length >= maxBatch || waited >= maxWaitMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      // setImmediate lets requests that arrived in the same tick join (maxWaitMs 0 still batches).
      this.busy = true;
      setImmediate(() => {
        this.run().catch(() => {
          this.busy = false;
        });
      });
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.schedule();
        },
        Math.max(0, maxWaitMs - waited),
      );
    }
  }

  private take(): Pending[] {
    const emb = this.queue[0].obs.embodiment;
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < this.options.maxBatch && p.obs.embodiment === emb) batch.push(p);
      else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async run(): Promise<void> {
    // The queue may have been emptied (close()) between scheduling and this immediate.
    if (this.queue.length === 0 || this.closed) {
      this.busy = false;
      return;
    }
    const batch = this.take();
    const start = performance.now();
    const queueMs = batch.map((p) => start - p.at);
    try {
      const policy = this.getPolicy();
      let chunks: ActionChunk[];
      if (batch.length === 1) chunks = [await policy.infer(batch[0].obs)];
      else if (policy.inferBatch) chunks = await policy.inferBatch(batch.map((p) => p.obs));
      else chunks = await Promise.all(batch.map((p) => policy.infer(p.obs)));
      if (!Array.isArray(chunks) || chunks.length !== batch.length)
        throw new RobofmError(
          'policy_error',
          `policy.inferBatch: got ${Array.isArray(chunks) ? chunks.length : typeof chunks} results, expected ${batch.length}`,
        );
      const inferMs = performance.now() - start;
      this.onBatch({ size: batch.length, inferMs, queueMs });
      for (const [i, p] of batch.entries())
        p.resolve({ chunk: chunks[i], queueMs: queueMs[i], inferMs, batchSize: batch.length });
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }
}

function validateBatchOptions(o: BatchOptions): void {
  if (!Number.isInteger(o.maxBatch) || o.maxBatch < 1)
    throw new RobofmError('invalid_argument', `batch.maxBatch: got ${o.maxBatch}, expected an integer >= 1`, {
      status: 400,
    });
  if (!(o.maxWaitMs >= 0))
    throw new RobofmError('invalid_argument', `batch.maxWaitMs: got ${o.maxWaitMs}, expected a number >= 0`, {
      status: 400,
    });
}
