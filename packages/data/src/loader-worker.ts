import { parentPort, workerData } from 'node:worker_threads';
import { type Batch, BatchProducer, type ProducerConfig } from './batch-producer.ts';

/** Worker thread of the Loader: produces batches on request ('next') and transfers their buffers. */
const producer = new BatchProducer(workerData as ProducerConfig);
const port = parentPort;
if (!port) throw new Error('loader-worker must run in a worker thread');

function transferList(b: Batch): ArrayBuffer[] {
  return [
    b.images,
    b.imageMask,
    b.state,
    b.stateMask,
    b.actions,
    b.actionMask,
    b.actionIsPad,
    b.quality,
    b.source,
    b.episode,
    b.frame,
  ].map((a) => a.buffer as ArrayBuffer);
}

// Requests are served strictly in order, one at a time (the producer is sequential and deterministic).
let chain: Promise<void> = producer.init().then(
  () => port.postMessage({ type: 'ready' }),
  (e: Error) => port.postMessage({ type: 'error', message: e.message }),
);
port.on('message', (m: { type: string }) => {
  if (m.type !== 'next') return;
  chain = chain.then(async () => {
    try {
      const batch = await producer.next();
      port.postMessage({ type: 'batch', batch }, transferList(batch));
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).message });
    }
  });
});
