// Worker entry for the Loader (started with core's startWorker). Node 20 does not apply a parent's
// `--import tsx` to worker threads, so when the TypeScript worker module cannot be loaded as is,
// the worker registers tsx itself and retries. Newer Node versions load it directly.
const entry = new URL('./loader-worker.ts', import.meta.url).href;
try {
  await import(entry);
} catch (e) {
  if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  const { register } = await import('tsx/esm/api');
  register();
  await import(`${entry}?tsx`); // a new URL: the failed attempt stays cached under the plain one
}
