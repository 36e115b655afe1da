/**
 * Damped-least-squares inverse kinematics on `SimWorld.eeJacobian` (mj_jacSite):
 *   dq = Jᵀ (J Jᵀ + λ² I)⁻¹ e
 * One linearisation per call: experts call it every control step (closed loop), which converges
 * as the arm moves. Returns absolute joint targets in `embodiment.joints` order, inside limits.
 */
import { ValidationError } from '@robofm/core';
import type { Quat, Vec3 } from './scene.ts';
import type { SimWorld } from './task.ts';
import { quatToMat } from './math3.ts';

export interface IkOptions {
  /** End-effector site (default the first of `world.eeSites`). */
  site?: string;
  /** Target position, world frame. */
  pos: Vec3;
  /** Target orientation (w, x, y, z); position-only when omitted. */
  quat?: Quat;
  /** Weight of the orientation error relative to position (m per rad, default 0.3). */
  rotWeight?: number;
  /** Damping λ (default 0.05). */
  damping?: number;
  /** Largest joint change per call, rad or m (default 0.25). */
  maxStep?: number;
  /** Joint names allowed to move (default: every non-gripper joint that moves the site). */
  joints?: string[];
}

export interface IkResult {
  targets: Float64Array;
  /** Position error before this step, m. */
  posError: number;
  /** Orientation error before this step, rad (0 when position-only). */
  rotError: number;
}

function solveSym(A: Float64Array, b: Float64Array, n: number): Float64Array {
  // Gaussian elimination with partial pivoting on a small dense system (n ≤ 6).
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[p * n + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) [M[c * n + k], M[p * n + k]] = [M[p * n + k], M[c * n + k]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    const piv = M[c * n + c] || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / piv;
      if (f === 0) continue;
      for (let k = c; k < n; k++) M[r * n + k] -= f * M[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let k = c + 1; k < n; k++) s -= M[c * n + k] * x[k];
    x[c] = s / (M[c * n + c] || 1e-12);
  }
  return x;
}

/** Orientation error (axis·angle, world frame) rotating `cur` (row-major matrix) onto `target`. */
function rotError(cur: number[], target: Quat): Vec3 {
  const t = quatToMat(target);
  // e = 0.5 Σ_i cur_i × target_i (columns)
  const e: Vec3 = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const a = [cur[i], cur[3 + i], cur[6 + i]];
    const b = [t[i], t[3 + i], t[6 + i]];
    e[0] += 0.5 * (a[1] * b[2] - a[2] * b[1]);
    e[1] += 0.5 * (a[2] * b[0] - a[0] * b[2]);
    e[2] += 0.5 * (a[0] * b[1] - a[1] * b[0]);
  }
  return e;
}

export function solveIk(world: SimWorld, opts: IkOptions): IkResult {
  const spec = world.embodiment;
  const n = spec.joints.length;
  const site = opts.site ?? world.eeSites[0];
  for (const [i, v] of opts.pos.entries())
    if (!Number.isFinite(v)) throw new ValidationError(`ik.pos[${i}]`, v, 'a finite number');
  const pose = world.eePose(site);
  const { jacp, jacr } = world.eeJacobian(site);
  const allowed = new Uint8Array(n);
  spec.joints.forEach((j, i) => {
    const moves =
      Math.abs(jacp[i]) +
        Math.abs(jacp[n + i]) +
        Math.abs(jacp[2 * n + i]) +
        Math.abs(jacr[i]) +
        Math.abs(jacr[n + i]) +
        Math.abs(jacr[2 * n + i]) >
      1e-9;
    allowed[i] = j.kind !== 'gripper' && moves && (!opts.joints || opts.joints.includes(j.name)) ? 1 : 0;
  });
  const ep: Vec3 = [opts.pos[0] - pose.pos[0], opts.pos[1] - pose.pos[1], opts.pos[2] - pose.pos[2]];
  const wr = opts.rotWeight ?? 0.3;
  const er = opts.quat ? rotError(pose.mat, opts.quat) : undefined;
  const m = er ? 6 : 3;
  const J = new Float64Array(m * n);
  const e = new Float64Array(m);
  for (let r = 0; r < 3; r++) {
    e[r] = ep[r];
    for (let c = 0; c < n; c++) J[r * n + c] = allowed[c] ? jacp[r * n + c] : 0;
  }
  if (er) {
    for (let r = 0; r < 3; r++) {
      e[3 + r] = wr * er[r];
      for (let c = 0; c < n; c++) J[(3 + r) * n + c] = allowed[c] ? wr * jacr[r * n + c] : 0;
    }
  }
  const lam = opts.damping ?? 0.05;
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += J[i * n + c] * J[k * n + c];
      A[i * m + k] = s + (i === k ? lam * lam : 0);
    }
  const y = solveSym(A, e, m);
  const dq = new Float64Array(n);
  let big = 0;
  for (let c = 0; c < n; c++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += J[i * n + c] * y[i];
    dq[c] = s;
    big = Math.max(big, Math.abs(s));
  }
  const maxStep = opts.maxStep ?? 0.25;
  const scale = big > maxStep ? maxStep / big : 1;
  const q = world.jointPositions();
  const cur = world.jointTargets();
  const targets = new Float64Array(n);
  spec.joints.forEach((j, i) => {
    // Non-moving joints keep their current target (grippers keep their command).
    const v = allowed[i] ? q[i] + scale * dq[i] : cur[i];
    targets[i] = Math.min(j.upper, Math.max(j.lower, v));
  });
  return {
    targets,
    posError: Math.hypot(ep[0], ep[1], ep[2]),
    rotError: er ? Math.hypot(er[0], er[1], er[2]) : 0,
  };
}
