import type { Worker } from 'node:worker_threads';
import { RobofmError, startWorker } from '@robofm/core';

/**
 * Runs jobs on N worker threads, each running module `url` (TypeScript is fine: core's startWorker
 * registers tsx in the thread) with `workerData = init`. The worker
 * answers each `{type:'job', id, job}` message with `{type:'result', id, result}` or
 * `{type:'error', id, message}`. Results come back in job order. One job in flight per worker,
 * so a slow episode never holds up the queue.
 */
export async function runPool<J, R>(opts: {
  url: URL;
  init: unknown;
  jobs: J[];
  workers: number;
  onResult?: (result: R, job: J, index: number) => void;
  /** Last-moment changes to a job as it is sent (e.g. whether it may still record a video). */
  beforeSend?: (job: J, index: number) => J;
}): Promise<R[]> {
  const { jobs } = opts;
  const results: R[] = new Array(jobs.length);
  if (jobs.length === 0) return results;
  const n = Math.max(1, Math.min(opts.workers, jobs.length));
  let next = 0;
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      let failed = false;
      const feed = (w: Worker) => {
        if (failed) return;
        if (next >= jobs.length) return;
        const id = next++;
        w.postMessage({ type: 'job', id, job: opts.beforeSend ? opts.beforeSend(jobs[id], id) : jobs[id] });
      };
      for (let i = 0; i < n; i++) {
        const w = startWorker(opts.url, { workerData: opts.init });
        pool.push(w);
        w.on('message', (m: { type: string; id: number; result?: R; message?: string }) => {
          if (m.type === 'result') {
            results[m.id] = m.result as R;
            opts.onResult?.(m.result as R, jobs[m.id], m.id);
            done++;
            if (done === jobs.length) resolve();
            else feed(w);
          } else if (m.type === 'error') {
            failed = true;
            reject(new RobofmError('eval_worker_failed', `job ${m.id}: ${m.message}`));
          } else if (m.type === 'ready') {
            feed(w);
          }
        });
        w.on('error', (e) => {
          failed = true;
          reject(new RobofmError('eval_worker_failed', `worker ${i} crashed: ${e.message}`, { cause: e }));
        });
        w.on('exit', (code) => {
          if (done < jobs.length && !failed) {
            failed = true;
            reject(
              new RobofmError('eval_worker_failed', `worker ${i} exited with code ${code} before finishing`),
            );
          }
        });
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
