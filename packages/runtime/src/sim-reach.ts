import type { ActionChunk, EmbodimentSpec, Observation, Policy, PolicyMetadata } from '@robofm/core';
import { policyEmbodimentInfo } from '@robofm/core';
import { ValidationError } from '@robofm/core';
import { rng } from './faults.ts';
import type { World, WorldOptions } from './world.ts';

/**
 * A runtime bench world on MuJoCo: an arm (SimDriver, torque mode, the runtime's PD) must bring its
 * end effector through `waypoints` points in order (within `tol`, slowly), with a privileged
 * chunking planner as the expert: straight Cartesian segments at `speed` with a dwell at each
 * waypoint, mapped to joint targets by damped least squares on the live end-effector Jacobian.
 * It exists to compare chunk schedulers on real simulated physics while the task suite's scripted
 * experts answer one action per request; it is not part of the task suite.
 */
export interface SimReachOptions extends WorldOptions {
  waypoints?: number;
  tol?: number;
  /** End-effector speed of the plan, m/s (default 0.15). */
  speed?: number;
  horizon?: number;
}

interface ReachSimWorld {
  eePose(site?: string): { pos: [number, number, number] };
  eeJacobian(site?: string): { jacp: Float64Array };
  jointPositions(): Float64Array;
  jointVelocities(): Float64Array;
}

export async function simReachWorld(o: SimReachOptions = {}): Promise<World> {
  const embodiment = o.embodiment ?? 'arm6';
  if (!['arm6', 'arm4'].includes(embodiment))
    throw new ValidationError(
      'embodiment',
      embodiment,
      'arm6 or arm4 (single-arm bodies) for the reach world',
    );
  const sim = (await import('@robofm/sim')) as unknown as {
    SimDriver: { create(o: object): Promise<World['driver'] & { env: { world: unknown }; dispose(): void }> };
  };
  const driver = await sim.SimDriver.create({ embodiment, sceneSeed: o.seed ?? 0, cameras: [] });
  const world = driver.env.world as ReachSimWorld;
  const rand = rng(((o.seed ?? 0) * 7919 + 17) >>> 0);
  const start = world.eePose().pos;
  const waypoints = Array.from({ length: o.waypoints ?? 3 }, () => [
    start[0] + (rand() * 2 - 1) * 0.12,
    start[1] + (rand() * 2 - 1) * 0.12,
    start[2] + (rand() * 2 - 1) * 0.06,
  ]);
  const tol = o.tol ?? 0.02;
  let reached = 0;
  const progress = () => {
    const p = world.eePose().pos;
    const qd = world.jointVelocities();
    while (reached < waypoints.length) {
      const w = waypoints[reached];
      const slow = qd.every((v) => Math.abs(v) < 0.3);
      if (!(slow && Math.hypot(p[0] - w[0], p[1] - w[1], p[2] - w[2]) <= tol)) break;
      reached++;
    }
    return reached;
  };
  const expert = new ReachPlanner(driver.spec, world, waypoints, progress, {
    horizon: o.horizon ?? 20,
    speed: o.speed ?? 0.15,
  });
  return {
    driver,
    expert,
    instruction: `move the gripper through ${waypoints.length} points`,
    timeLimitS: o.timeLimitS ?? 15,
    home: Float64Array.from(driver.read().q),
    success: () => progress() >= waypoints.length,
    dispose: () => driver.dispose(),
  };
}

class ReachPlanner implements Policy {
  readonly metadata: PolicyMetadata;
  constructor(
    private readonly spec: EmbodimentSpec,
    private readonly world: ReachSimWorld,
    private readonly waypoints: number[][],
    private readonly progress: () => number,
    private readonly o: { horizon: number; speed: number; dwellSteps?: number },
  ) {
    this.metadata = {
      id: 'sim-reach-planner',
      actionHorizon: o.horizon,
      embodiments: {
        [spec.name]: policyEmbodimentInfo(spec, []),
      },
    };
  }

  async infer(obs: Observation): Promise<ActionChunk> {
    const t0 = performance.now();
    const n = this.spec.joints.length;
    const J = this.world.eeJacobian().jacp; // [3, n], gripper columns zero
    const qLive = this.world.jointPositions();
    const pLive = this.world.eePose().pos;
    // The observation is older than the live state: move the live ee position back to it (J Δq).
    const q = Float64Array.from(obs.state.subarray(0, n));
    const p = [0, 1, 2].map((r) => {
      let s = pLive[r];
      for (let i = 0; i < n; i++) s += J[r * n + i] * (q[i] - qLive[i]);
      return s;
    });
    let wp = Math.min(this.progress(), this.waypoints.length - 1);
    const stepLen = this.o.speed / this.spec.controlHz;
    const actions = new Float32Array(this.o.horizon * n);
    let dwell = 0;
    for (let t = 0; t < this.o.horizon; t++) {
      const g = this.waypoints[wp];
      const d = [g[0] - p[0], g[1] - p[1], g[2] - p[2]];
      const dist = Math.hypot(d[0], d[1], d[2]);
      const k = dist <= stepLen ? 1 : stepLen / dist;
      const dx = d.map((v) => v * k);
      const dq = dls(J, n, dx, 0.05);
      for (let i = 0; i < n; i++) {
        const j = this.spec.joints[i];
        q[i] = Math.min(j.upper, Math.max(j.lower, q[i] + dq[i]));
        actions[t * n + i] = q[i];
      }
      for (let r = 0; r < 3; r++) p[r] += dx[r];
      if (dist <= stepLen && ++dwell > (this.o.dwellSteps ?? 6) && wp < this.waypoints.length - 1) {
        wp++;
        dwell = 0;
      }
    }
    return {
      actions,
      horizon: this.o.horizon,
      actionDim: n,
      subtask: `reach point ${wp + 1}`,
      timing: { inferMs: performance.now() - t0 },
    };
  }
}

/** Damped least squares: Δq = Jᵀ (J Jᵀ + λ² I)⁻¹ Δx for a 3 × n Jacobian. */
function dls(J: Float64Array, n: number, dx: number[], lambda: number): Float64Array {
  const A = new Float64Array(9);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) {
      let s = r === c ? lambda * lambda : 0;
      for (let i = 0; i < n; i++) s += J[r * n + i] * J[c * n + i];
      A[r * 3 + c] = s;
    }
  const y = solve3(A, dx);
  const dq = new Float64Array(n);
  for (let i = 0; i < n; i++) dq[i] = J[i] * y[0] + J[n + i] * y[1] + J[2 * n + i] * y[2];
  return dq;
}

function solve3(A: Float64Array, b: number[]): number[] {
  const [a, bb, c, d, e, f, g, h, i] = A;
  const det = a * (e * i - f * h) - bb * (d * i - f * g) + c * (d * h - e * g);
  const inv = [
    e * i - f * h,
    c * h - bb * i,
    bb * f - c * e,
    f * g - d * i,
    a * i - c * g,
    c * d - a * f,
    d * h - e * g,
    bb * g - a * h,
    a * e - bb * d,
  ].map((v) => v / det);
  return [0, 1, 2].map((r) => inv[r * 3] * b[0] + inv[r * 3 + 1] * b[1] + inv[r * 3 + 2] * b[2]);
}
