import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module URL. TypeScript workers get the tsx loader
 * (`--import tsx`) so they run from source like the main thread does.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  if (
    url.pathname.endsWith('.ts') &&
    !execArgv.some((a, i) => a === 'tsx' && execArgv[i - 1] === '--import')
  ) {
    execArgv.push('--import', 'tsx');
  }
  return new Worker(url, { ...options, execArgv });
}
