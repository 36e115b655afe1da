import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startWorker } from './worker.ts';

describe('startWorker', () => {
  it('runs a TypeScript worker from source and passes workerData through', async () => {
    const w = startWorker(new URL('./worker.fixture.ts', import.meta.url), { workerData: { x: 20 } });
    const [msg] = await once(w, 'message');
    expect(msg).toEqual({ doubled: 40, argv: [] });
    await w.terminate();
  });
});
