import { describe, expect, it } from 'vitest';
import { dlsStep, rotationError, solveSpd } from './ik.ts';

/** Planar 2-link arm: forward kinematics and Jacobian, to check DLS converges. */
function fk(q: number[]): [number, number] {
  return [Math.cos(q[0]) + 0.8 * Math.cos(q[0] + q[1]), Math.sin(q[0]) + 0.8 * Math.sin(q[0] + q[1])];
}
function jac(q: number[]): Float64Array {
  const s1 = Math.sin(q[0]);
  const c1 = Math.cos(q[0]);
  const s12 = Math.sin(q[0] + q[1]);
  const c12 = Math.cos(q[0] + q[1]);
  return Float64Array.from([-s1 - 0.8 * s12, -0.8 * s12, c1 + 0.8 * c12, 0.8 * c12]);
}

describe('dlsStep', () => {
  it('solves an SPD system', () => {
    const x = solveSpd(Float64Array.from([4, 1, 1, 3]), Float64Array.from([1, 2]), 2);
    expect(4 * x[0] + x[1]).toBeCloseTo(1, 10);
    expect(x[0] + 3 * x[1]).toBeCloseTo(2, 10);
  });
  it('drives a 2-link arm to a reachable point', () => {
    const q = [0.3, 0.5];
    const goal: [number, number] = [0.9, 0.9];
    for (let it = 0; it < 100; it++) {
      const p = fk(q);
      const dq = dlsStep(jac(q), [goal[0] - p[0], goal[1] - p[1]], 2, 2, 0.05);
      q[0] += dq[0];
      q[1] += dq[1];
    }
    const p = fk(q);
    expect(Math.hypot(p[0] - goal[0], p[1] - goal[1])).toBeLessThan(1e-4);
  });
  it('stays bounded at a singularity and honours joint costs', () => {
    const dq = dlsStep(jac([0, 0]), [1, 0], 2, 2, 0.1); // stretched out, asked to go further
    expect(Math.hypot(dq[0], dq[1])).toBeLessThan(20);
    const free = dlsStep(jac([0.3, 0.5]), [0.01, 0], 2, 2, 0.01);
    const costly = dlsStep(jac([0.3, 0.5]), [0.01, 0], 2, 2, 0.01, [100, 1]);
    expect(Math.abs(costly[0])).toBeLessThan(Math.abs(free[0]));
  });
  it('rotation error is zero for equal frames and points along the axis', () => {
    const I = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    expect(rotationError(I, I)).toEqual([0, 0, 0]);
    const a = 0.1;
    const rz = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
    const e = rotationError(I, rz);
    expect(e[2]).toBeCloseTo(Math.sin(a), 6);
    expect(Math.abs(e[0]) + Math.abs(e[1])).toBeLessThan(1e-12);
  });
});
