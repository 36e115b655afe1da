import type { EmbodimentSpec } from '@robofm/core';
import type { Vec3 } from '../scene.ts';
import type { SimWorld } from '../task.ts';
import { type BodyConfig, bodyConfig } from './arms.ts';
import { dlsStep, rotationError } from './ik.ts';

/** What a skill asks of one arm this control step. */
export interface ArmCommand {
  /** Goal position of the end-effector site (world). The controller moves toward it at `speed`. */
  pos: Vec3;
  /** Gripper yaw about world z (fingers close along the rotated y axis). */
  yaw: number;
  /** 0 closed … 1 open. */
  grip: number;
  /** m/s (default 0.3). */
  speed?: number;
}

export interface Command {
  /** Per arm (same order as `BodyConfig.arms`); null keeps that arm where it was told to be. */
  arms: Array<ArmCommand | null>;
  /** Mobile base goal (world x, y, yaw), when the base should move. */
  base?: [number, number, number];
  /** The subtask in words ("pick up the red cube"). */
  label: string;
}

const MAX_LEAD = 0.06; // the carrot never runs further than this ahead of the real end effector (m)
const MAX_WINDUP = 0.35; // commanded joints stay within this of the measured ones (rad / m)
const NULL_GAIN = 0.04; // per control step, toward the home posture (null space only)

/**
 * Turns Commands into absolute joint targets: a carrot moves toward each arm's goal at the
 * commanded speed, one damped-least-squares step on the site Jacobian closes the gap each control
 * step, and the joint command integrates those steps (so gravity sag and contacts are taken up).
 */
export class MotionController {
  readonly cfg: BodyConfig;
  readonly spec: EmbodimentSpec;
  readonly dt: number;
  private readonly q: Float64Array;
  private readonly home: Float64Array;
  private readonly carrot: Array<Vec3 | null>;
  private lastArm: Array<ArmCommand | null>;

  constructor(private readonly world: SimWorld) {
    this.spec = world.embodiment;
    this.cfg = bodyConfig(this.spec);
    this.dt = 1 / this.spec.controlHz;
    this.q = Float64Array.from(world.jointTargets());
    this.home = Float64Array.from(this.q);
    this.carrot = this.cfg.arms.map(() => null);
    this.lastArm = this.cfg.arms.map(() => null);
  }

  /** Current end-effector position of arm `a`. */
  ee(a: number): Vec3 {
    return this.world.eePose(this.cfg.arms[a].site).pos;
  }

  /** Yaw of arm `a`'s site about world z. */
  eeYaw(a: number): number {
    const m = this.world.eePose(this.cfg.arms[a].site).mat;
    return Math.atan2(m[3], m[0]);
  }

  step(cmd: Command): Float32Array {
    const { spec, cfg, world, q, dt } = this;
    const qm = world.jointPositions();
    const n = spec.joints.length;
    const arms = cmd.arms.map((c, i) => c ?? this.lastArm[i]);
    this.lastArm = arms;
    const costs = cfg.jointCost.slice();
    if (cmd.base && cfg.base.length === 3) {
      // Drive the base: move its joint targets toward the goal, arm held.
      const [bx, by, byaw] = cfg.base;
      const goal = cmd.base;
      const dx = goal[0] - q[bx];
      const dy = goal[1] - q[by];
      const d = Math.hypot(dx, dy);
      const lim = spec.joints[bx].maxVelocity * 0.5 * dt;
      const k = d > lim ? lim / d : 1;
      q[bx] += dx * k;
      q[by] += dy * k;
      let dyaw = goal[2] - q[byaw];
      dyaw = Math.atan2(Math.sin(dyaw), Math.cos(dyaw));
      const ylim = spec.joints[byaw].maxVelocity * 0.5 * dt;
      q[byaw] += Math.max(-ylim, Math.min(ylim, dyaw));
      for (let i = 0; i < this.carrot.length; i++) this.carrot[i] = null;
    } else {
      arms.forEach((c, a) => {
        if (!c) return;
        const arm = cfg.arms[a];
        const pose = world.eePose(arm.site);
        const carrot = (this.carrot[a] ??= [...pose.pos] as Vec3);
        // Move the carrot toward the goal at the commanded speed, never too far ahead of the hand.
        const step = (c.speed ?? 0.3) * dt;
        const g: Vec3 = [c.pos[0] - carrot[0], c.pos[1] - carrot[1], c.pos[2] - carrot[2]];
        const gd = Math.hypot(...g);
        const k = gd > step ? step / gd : 1;
        for (let i = 0; i < 3; i++) carrot[i] += g[i] * k;
        const lead: Vec3 = [carrot[0] - pose.pos[0], carrot[1] - pose.pos[1], carrot[2] - pose.pos[2]];
        const ld = Math.hypot(...lead);
        if (ld > MAX_LEAD) for (let i = 0; i < 3; i++) carrot[i] = pose.pos[i] + (lead[i] * MAX_LEAD) / ld;
        const cy = Math.cos(c.yaw);
        const sy = Math.sin(c.yaw);
        const des = [cy, -sy, 0, sy, cy, 0, 0, 0, 1];
        const er = rotationError(pose.mat, des, arm.rotAxes);
        const e = [carrot[0] - pose.pos[0], carrot[1] - pose.pos[1], carrot[2] - pose.pos[2]];
        const { jacp, jacr } = world.eeJacobian(arm.site);
        const w = cfg.rotWeight;
        const jac = new Float64Array(6 * n);
        jac.set(jacp, 0);
        for (let i = 0; i < 3 * n; i++) jac[3 * n + i] = jacr[i] * w;
        const err = [e[0], e[1], e[2], er[0] * w, er[1] * w, er[2] * w];
        const dq = dlsStep(jac, err, 6, n, 0.04, costs);
        // Secondary task in the Jacobian's null space: drift back toward the home posture, which
        // keeps the arm out of folded / elbow-flipped configurations on long moves.
        const z = new Float64Array(n);
        for (let j = 0; j < n; j++)
          if (j !== arm.gripper && !cfg.base.includes(j)) z[j] = NULL_GAIN * (this.home[j] - qm[j]);
        const jz = new Float64Array(6);
        for (let r = 0; r < 6; r++) {
          let acc = 0;
          for (let j = 0; j < n; j++) acc += jac[r * n + j] * z[j];
          jz[r] = acc;
        }
        const back = dlsStep(jac, jz, 6, n, 0.04, costs);
        for (let j = 0; j < n; j++) dq[j] += z[j] - back[j];
        for (let j = 0; j < n; j++) {
          if (j === arm.gripper) continue;
          const lim = spec.joints[j].maxVelocity * 0.9 * dt;
          q[j] += Math.max(-lim, Math.min(lim, dq[j]));
        }
        q[arm.gripper] = arm.closed + c.grip * (arm.open - arm.closed);
      });
    }
    const out = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      const js = spec.joints[j];
      const isGrip = cfg.arms.some((a) => a.gripper === j);
      const isBase = cfg.base.includes(j);
      if (!isGrip && !isBase) q[j] = Math.max(qm[j] - MAX_WINDUP, Math.min(qm[j] + MAX_WINDUP, q[j]));
      q[j] = Math.max(js.lower, Math.min(js.upper, q[j]));
      out[j] = q[j];
    }
    return out;
  }
}
