import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

/**
 * Starts a worker thread from a module URL. A TypeScript entry (`.ts`) starts through a small
 * `.mjs` boot file that registers the tsx loader inside the worker, then imports the entry, so
 * workers run from source like the main thread. `workerData` and other options pass through as is.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  return new Worker(BOOT, { ...options, argv: [...(options.argv ?? []), url.href] });
}
