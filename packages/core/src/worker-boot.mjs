// Entry of every TypeScript worker thread: registers the tsx loader inside the worker (on Node 20 an
// `--import tsx` in a Worker's execArgv does not take effect), then imports the real entry, which
// startWorker passes as the last argv element.
import { register } from 'tsx/esm/api';

register();
const entry = process.argv.pop();
await import(entry);
