// Worker-thread entry that can run TypeScript: registers tsx's loader in this thread, then imports
// the real entry (`workerData.__entry`). `--import tsx` in a worker's execArgv does not take effect
// on Node 20, so the loader is registered from here.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
