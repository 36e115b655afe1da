import type { Worker } from 'node:worker_threads';
import {
  type ActionChunk,
  type Observation,
  type Policy,
  type PolicyMetadata,
  RobofmError,
  startWorker,
} from '@robofm/core';

/**
 * A Policy whose model runs in a worker thread, so a slow local inference (a VLA on the robot's
 * CPU) never blocks the 500 Hz control loop. The worker imports `module` and awaits
 * `module[exportName](...args)` to build the policy; `infer` posts the observation and resolves
 * with the worker's chunk. Requests are answered in order, one at a time, as the model runs them.
 */
export class WorkerPolicy implements Policy {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (c: ActionChunk) => void; reject: (e: unknown) => void }
  >();
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    readonly metadata: PolicyMetadata,
  ) {
    worker.on('message', (m: WorkerReply) => {
      if (m.type !== 'chunk' && m.type !== 'error') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'chunk') p.resolve(m.chunk);
      else p.reject(new RobofmError(m.code ?? 'local_policy_error', m.message));
    });
    worker.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values())
        p.reject(new RobofmError('local_policy_exited', `policy worker exited (${code})`));
      this.pending.clear();
    });
  }

  static async start(module: string | URL, exportName: string, args: unknown[] = []): Promise<WorkerPolicy> {
    const worker = startWorker(new URL('./policy-worker.ts', import.meta.url), {
      workerData: { module: String(module), exportName, args },
    });
    const metadata = await new Promise<PolicyMetadata>((resolve, reject) => {
      const onMsg = (m: WorkerReply) => {
        if (m.type === 'ready') {
          worker.off('message', onMsg);
          resolve(m.metadata);
        } else if (m.type === 'error' && m.id === 0) {
          worker.off('message', onMsg);
          reject(new RobofmError(m.code ?? 'local_policy_error', m.message));
        }
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
      worker.once('exit', (c) =>
        reject(new RobofmError('local_policy_exited', `policy worker exited (${c})`)),
      );
    }).catch(async (e) => {
      await worker.terminate();
      throw e;
    });
    return new WorkerPolicy(worker, metadata);
  }

  infer(obs: Observation): Promise<ActionChunk> {
    if (this.exited) return Promise.reject(new RobofmError('local_policy_exited', 'policy worker is gone'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'infer', id, obs });
    });
  }

  reset(): void {
    this.worker.postMessage({ type: 'reset' });
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }
}

export type WorkerReply =
  | { type: 'ready'; metadata: PolicyMetadata }
  | { type: 'chunk'; id: number; chunk: ActionChunk }
  | { type: 'error'; id: number; message: string; code?: string };
