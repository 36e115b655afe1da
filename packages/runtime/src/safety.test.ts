import { Logger } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { SafetyLayer } from './safety.ts';
import { doubleIntegratorSpec } from './testing/double-integrator.ts';

const quiet = new Logger({}, 'silent');
const spec = doubleIntegratorSpec({ joints: 2 }); // limits ±1, vmax 1.5, tauMax 8
const dt = 1 / spec.physicsHz;

describe('SafetyLayer', () => {
  it('clips fresh targets to the joint limits and rate-limits the PD target', () => {
    const s = new SafetyLayer(spec, { logger: quiet, targetVelFrac: 0.5 });
    s.reset([0, 0], 0);
    s.submit([5, Number.NaN], 0);
    const t = s.target([0, 0], 0, dt);
    expect(t[0]).toBeCloseTo(0.5 * 1.5 * dt, 12); // one tick of motion at half the velocity limit
    expect(t[1]).toBe(0); // NaN → keep the previous target
    let out = t;
    for (let k = 0; k < 2000; k++) {
      s.submit([5, 0], k * dt);
      out = s.target([0, 0], k * dt, dt);
    }
    expect(out[0]).toBe(1); // reached the limit, never beyond
    expect(s.stats.positionClips).toBe(2001);
    expect(s.stats.limitViolations).toBe(0);
  });

  it('holds position when no fresh target arrives within the watchdog period', () => {
    const s = new SafetyLayer(spec, { logger: quiet, watchdogS: 0.1 });
    s.reset([0, 0], 0);
    s.submit([0.5, 0.5], 0);
    s.target([0.2, 0.1], 0.05, dt);
    expect(s.stats.watchdogTrips).toBe(0);
    const held = s.target([0.2, 0.1], 0.2, dt); // 0.2 s without a fresh target
    expect(s.stats.watchdogTrips).toBe(1);
    let out = held;
    for (let k = 0; k < 500; k++) out = s.target([0.2, 0.1], 0.2 + k * dt, dt);
    expect(out[0]).toBeCloseTo(0.2, 9);
    expect(out[1]).toBeCloseTo(0.1, 9);
    expect(s.submit([0.3, 0.3], 1.3)).toBe(true); // a fresh target clears it
  });

  it('e-stop holds at once and ignores targets until released', () => {
    const s = new SafetyLayer(spec, { logger: quiet });
    s.reset([0, 0], 0);
    s.estop('button', [0.3, -0.2]);
    expect(s.submit([1, 1], 0)).toBe(false);
    const t = s.target([0.31, -0.2], 0, dt);
    expect(Array.from(t)).toEqual([0.3, -0.2]);
    s.release('cleared');
    expect(s.submit([1, 1], 0)).toBe(true);
  });

  it('rejects targets outside the workspace box', () => {
    const s = new SafetyLayer(spec, {
      logger: quiet,
      workspace: { min: [-0.5, -0.5, -1], max: [0.5, 0.5, 1], fk: (q) => [[q[0], q[1], 0]] },
    });
    s.reset([0, 0], 0);
    expect(s.submit([0.4, 0.4], 0)).toBe(true);
    expect(s.submit([0.6, 0], 0)).toBe(false);
    expect(s.stats.workspaceRejects).toBe(1);
  });

  it('clips torques and only brakes a joint that is too fast', () => {
    const s = new SafetyLayer(spec, { logger: quiet, brakeVelFrac: 0.9 });
    const tau = s.torque(new Float64Array([100, 3]), [1.45, 0], undefined); // joint 0 at 97 % of vmax
    expect(tau[0]).toBeLessThan(0); // braking, not pushing
    expect(tau[0]).toBeGreaterThanOrEqual(-8);
    expect(tau[1]).toBe(3);
    const clipped = s.torque(new Float64Array([-100, 100]), [0, 0], undefined);
    expect(Array.from(clipped)).toEqual([-8, 8]);
    expect(s.stats.maxVelFrac).toBeCloseTo(1.45 / 1.5, 9);
  });

  it('names bad options', () => {
    expect(() => new SafetyLayer(spec, { watchdogS: 0 })).toThrow(/safety.watchdogS/);
    expect(() => new SafetyLayer(spec, { targetVelFrac: 2 })).toThrow(/safety.targetVelFrac/);
  });
});
