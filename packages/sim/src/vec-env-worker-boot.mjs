// Worker entry for VecEnv. Node 20 does not apply `--import tsx` from a worker's execArgv, so the
// worker registers tsx itself, then loads the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./vec-env-worker.ts', import.meta.url).href);
