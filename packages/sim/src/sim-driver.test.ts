import { ValidationError } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { SimDriver } from './sim-driver.ts';

describe('SimDriver', () => {
  it('advances one physics step per call and holds a pose with PD torques computed outside', async () => {
    const d = await SimDriver.create({ embodiment: 'arm6', sceneSeed: 2 });
    try {
      expect(d.instruction.length).toBeGreaterThan(0);
      const s0 = d.read();
      expect(s0.time).toBe(0);
      const spec = d.spec;
      const q0 = Float64Array.from(s0.q);
      // The runtime's own PD loop: τ = Kp(q* − q) − Kd q̇ + bias.
      for (let i = 0; i < 500; i++) {
        const s = d.read();
        const tau = new Float64Array(spec.joints.length);
        spec.joints.forEach((j, k) => {
          tau[k] = j.kp * (q0[k] - s.q[k]) - j.kd * s.qd[k] + s.bias[k];
        });
        d.command({ kind: 'torque', tau });
        d.advance();
      }
      const s1 = d.read();
      expect(s1.time).toBeCloseTo(500 / spec.physicsHz, 9);
      for (let k = 0; k < q0.length; k++) expect(Math.abs(s1.q[k] - q0[k])).toBeLessThan(0.01);
      // Zero torque: the arm sags under gravity.
      for (let i = 0; i < 250; i++) {
        d.command({ kind: 'torque', tau: new Float64Array(spec.joints.length) });
        d.advance();
      }
      expect(Math.abs(d.read().q[1] - q0[1])).toBeGreaterThan(0.05);
      // Targets mode: the simulator's PD brings it back.
      d.command({ kind: 'targets', q: q0 });
      for (let i = 0; i < 1000; i++) d.advance();
      expect(Math.abs(d.read().q[1] - q0[1])).toBeLessThan(0.02);
      expect(d.eePositions()).toHaveLength(1);
      // Forward kinematics of the current pose matches the live site; a raised shoulder moves it up.
      const now = d.eePositions()[0];
      const same = d.eePositionsAt(d.read().q)[0];
      for (let k = 0; k < 3; k++) expect(same[k]).toBeCloseTo(now[k], 6);
      const lifted = Float64Array.from(d.read().q);
      lifted[1] -= 0.5;
      expect(d.eePositionsAt(lifted)[0][2]).toBeGreaterThan(now[2] + 0.05);
      expect(d.eePositions()[0]).toEqual(now);
      expect(typeof d.success()).toBe('boolean');
      const imgs = d.images();
      expect(Object.keys(imgs)).toEqual(['front', 'wrist']);
      expect(() => d.command({ kind: 'torque', tau: new Float64Array(3) })).toThrow(ValidationError);
      expect(() => d.command({ kind: 'targets', q: new Float64Array(7).fill(9) })).toThrow(/action\[0\]/);
      expect(() => d.command({ kind: 'nope' } as never)).toThrow(/command.kind/);
    } finally {
      d.dispose();
    }
  });
});
