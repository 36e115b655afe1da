import type { ActionChunk, EmbodimentSpec, Observation, Policy, PolicyMetadata } from '@robofm/core';
import { policyEmbodimentInfo } from '@robofm/core';

/**
 * Test fixture: a chunking policy with no task knowledge — each joint swings sinusoidally around
 * `center` (clipped inside its limits) as a function of the observation's timestamp. Exercises
 * chunk timing, fallback and limits on any body.
 */
export class SinePolicy implements Policy {
  readonly metadata: PolicyMetadata;

  constructor(
    private readonly spec: EmbodimentSpec,
    private readonly center: ArrayLike<number>,
    private readonly opts: { horizon?: number; amplitude?: number; hz?: number } = {},
  ) {
    this.metadata = {
      id: 'sine',
      actionHorizon: opts.horizon ?? 10,
      embodiments: {
        [spec.name]: policyEmbodimentInfo(spec),
      },
    };
  }

  async infer(obs: Observation): Promise<ActionChunk> {
    const H = this.metadata.actionHorizon;
    const n = this.spec.actionNames.length;
    const a = new Float32Array(H * n);
    const t0 = obs.timestamp ?? 0;
    for (let t = 0; t < H; t++) {
      for (let i = 0; i < n; i++) {
        const j = this.spec.joints[i];
        const amp = Math.min(this.opts.amplitude ?? 0.3, (j.upper - j.lower) / 4);
        const mid = Math.min(Math.max(this.center[i], j.lower + amp), j.upper - amp);
        a[t * n + i] =
          mid + amp * Math.sin(2 * Math.PI * (this.opts.hz ?? 0.5) * (t0 + t / this.spec.controlHz));
      }
    }
    return { actions: a, horizon: H, actionDim: n, timing: { inferMs: 0 } };
  }
}
