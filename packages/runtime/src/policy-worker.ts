/** Worker-thread side of WorkerPolicy: builds the policy, then answers infer requests in order. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Observation, Policy } from '@robofm/core';
import type { WorkerReply } from './worker-policy.ts';

const port = parentPort!;
const { module, exportName, args } = workerData as { module: string; exportName: string; args: unknown[] };
const send = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const codeOf = (e: unknown) => {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' ? c : undefined;
};

try {
  const mod = (await import(module)) as Record<string, (...a: unknown[]) => Policy | Promise<Policy>>;
  if (typeof mod[exportName] !== 'function')
    throw new Error(`${module} has no function export '${exportName}'`);
  const policy = await mod[exportName](...args);
  let chain = Promise.resolve();
  port.on('message', (m: { type: string; id: number; obs: Observation }) => {
    if (m.type === 'reset') {
      chain = chain.then(() => policy.reset?.());
      return;
    }
    if (m.type !== 'infer') return;
    chain = chain.then(async () => {
      try {
        const chunk = await policy.infer(m.obs);
        send({ type: 'chunk', id: m.id, chunk });
      } catch (e) {
        send({ type: 'error', id: m.id, message: (e as Error).message ?? String(e), code: codeOf(e) });
      }
    });
  });
  send({ type: 'ready', metadata: policy.metadata });
} catch (e) {
  send({ type: 'error', id: 0, message: (e as Error).message ?? String(e), code: codeOf(e) });
}
