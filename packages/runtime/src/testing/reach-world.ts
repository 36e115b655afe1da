import type { ActionChunk, Observation, Policy, PolicyMetadata } from '@robofm/core';
import { policyEmbodimentInfo } from '@robofm/core';
import type { World, WorldOptions } from '../world.ts';
import { DoubleIntegratorDriver, type DoubleIntegratorOptions } from './double-integrator.ts';

/**
 * Test fixture world: visit waypoints in joint space in order (each within `tol`, slowly enough
 * to count as "there"), on a DoubleIntegratorDriver. Deterministic from the seed. The expert is a
 * closed-loop Policy that plans a straight, speed-limited path to the current waypoint from the
 * observed state (it reads the world's progress, as scripted sim experts read privileged state).
 */
export interface ReachWorldOptions extends WorldOptions {
  waypoints?: number;
  tol?: number;
  horizon?: number;
  /** Expert's planned speed as a fraction of the velocity limit (default 0.5). */
  speedFrac?: number;
  driver?: DoubleIntegratorOptions;
}

export class ReachWorld implements World {
  readonly driver: DoubleIntegratorDriver;
  readonly expert: Policy;
  readonly instruction: string;
  readonly timeLimitS: number;
  readonly home: Float64Array;
  readonly waypoints: Float64Array[];
  private reached = 0;
  private readonly tol: number;

  constructor(opts: ReachWorldOptions = {}) {
    let s = (opts.seed ?? 0) * 2654435761 + 12345;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    this.driver = new DoubleIntegratorDriver(opts.driver ?? {});
    const n = this.driver.spec.joints.length;
    this.home = new Float64Array(n);
    this.waypoints = Array.from({ length: opts.waypoints ?? 3 }, () =>
      Float64Array.from({ length: n }, () => (rand() * 2 - 1) * 0.8),
    );
    this.tol = opts.tol ?? 0.03;
    this.timeLimitS = opts.timeLimitS ?? 12;
    this.instruction = `visit ${this.waypoints.length} waypoints in order`;
    this.expert = new ReachExpert(this, opts.horizon ?? 25, opts.speedFrac ?? 0.5);
  }

  /** Index of the waypoint the robot is heading to (updates progress from the live state). */
  progress(): number {
    const { q, qd } = this.driver;
    while (this.reached < this.waypoints.length) {
      const w = this.waypoints[this.reached];
      let ok = true;
      for (let i = 0; i < q.length; i++)
        if (Math.abs(q[i] - w[i]) > this.tol || Math.abs(qd[i]) > 0.3) ok = false;
      if (!ok) break;
      this.reached++;
    }
    return this.reached;
  }

  success(): boolean {
    return this.progress() >= this.waypoints.length;
  }

  dispose(): void {
    this.driver.dispose();
  }
}

class ReachExpert implements Policy {
  readonly metadata: PolicyMetadata;
  constructor(
    private readonly world: ReachWorld,
    private readonly horizon: number,
    private readonly speedFrac: number,
    private readonly dwellSteps = 8,
  ) {
    const spec = world.driver.spec;
    this.metadata = {
      id: 'reach-expert',
      actionHorizon: horizon,
      embodiments: {
        [spec.name]: policyEmbodimentInfo(spec, []),
      },
    };
  }

  async infer(obs: Observation): Promise<ActionChunk> {
    const t0 = performance.now();
    const spec = this.world.driver.spec;
    const n = spec.joints.length;
    // Straight, speed-limited segments through the remaining waypoints, dwelling at each.
    const wps = this.world.waypoints;
    let wp = Math.min(this.world.progress(), wps.length - 1);
    const first = wp;
    const dt = 1 / spec.controlHz;
    const actions = new Float32Array(this.horizon * n);
    const cur = Float64Array.from(obs.state.subarray(0, n));
    let dwell = 0;
    for (let t = 0; t < this.horizon; t++) {
      const goal = wps[wp];
      let there = true;
      for (let i = 0; i < n; i++) {
        const step = this.speedFrac * spec.joints[i].maxVelocity * dt;
        const d = goal[i] - cur[i];
        cur[i] += Math.abs(d) <= step ? d : Math.sign(d) * step;
        if (cur[i] !== goal[i]) there = false;
        actions[t * n + i] = cur[i];
      }
      if (there && ++dwell > this.dwellSteps && wp < wps.length - 1) {
        wp++;
        dwell = 0;
      }
    }
    return {
      actions,
      horizon: this.horizon,
      actionDim: n,
      subtask: `reach waypoint ${first + 1}`,
      timing: { inferMs: performance.now() - t0 },
    };
  }
}
