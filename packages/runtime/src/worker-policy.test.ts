import { describe, expect, it } from 'vitest';
import { WorkerPolicy } from './worker-policy.ts';

const fixtures = new URL('./testing/worker-fixtures.ts', import.meta.url);

describe('WorkerPolicy', () => {
  it('runs inference in a worker thread without blocking this one', async () => {
    const p = await WorkerPolicy.start(fixtures, 'makeBusyPolicy', [150]);
    try {
      expect(p.metadata.id).toBe('sine');
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const obs = {
        embodiment: 'di',
        images: {},
        state: new Float32Array(3),
        instruction: '',
        timestamp: 0.25,
      };
      const chunk = await p.infer(obs);
      clearInterval(timer);
      expect(chunk.horizon).toBe(10);
      expect(chunk.actions).toBeInstanceOf(Float32Array);
      expect(ticks).toBeGreaterThan(5); // this thread kept running during the 150 ms of inference
      await expect(p.infer({ ...obs, instruction: 'fail' })).rejects.toMatchObject({ code: 'bad' });
    } finally {
      await p.dispose();
    }
  });

  it('reports a module that cannot build a policy', async () => {
    await expect(WorkerPolicy.start(fixtures, 'nope')).rejects.toThrow(/no function export 'nope'/);
  });
});
