import type { Policy } from '@robofm/core';
import { doubleIntegratorSpec } from './double-integrator.ts';
import { SinePolicy } from './sine-policy.ts';

/** Test fixture for WorkerPolicy: a policy whose inference burns `busyMs` of CPU synchronously. */
export function makeBusyPolicy(busyMs: number): Policy {
  const spec = doubleIntegratorSpec();
  const inner = new SinePolicy(spec, new Float64Array(spec.joints.length));
  return {
    metadata: inner.metadata,
    infer: (obs) => {
      const t0 = performance.now();
      while (performance.now() - t0 < busyMs) {
        // CPU-bound, like a model forward pass
      }
      if (obs.instruction === 'fail')
        return Promise.reject(Object.assign(new Error('bad input'), { code: 'bad' }));
      return inner.infer(obs);
    },
  };
}
