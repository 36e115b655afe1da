import { describe, expect, it } from 'vitest';
import { pdTorque } from './pd-controller.ts';

describe('pdTorque', () => {
  const gains = {
    kp: new Float64Array([100, 10]),
    kd: new Float64Array([2, 1]),
    tauMax: new Float64Array([5, 50]),
  };

  it('computes Kp(q*-q) - Kd qd + bias', () => {
    const tau = pdTorque(gains, [0, 1], [0, 2], [0.01, 2], [0.5, -1]);
    expect(tau[0]).toBeCloseTo(100 * 0.01 + 0.5, 12);
    expect(tau[1]).toBeCloseTo(10 * 1 - 1 * 2 - 1, 12);
  });

  it('clips to the torque limit', () => {
    const tau = pdTorque(gains, [0, 0], [0, 0], [1, -100], undefined);
    expect(tau[0]).toBe(5);
    expect(tau[1]).toBe(-50);
  });

  it('holds position on non-finite targets', () => {
    const tau = pdTorque(gains, [0.3, 0], [0, 0], [Number.NaN, Number.POSITIVE_INFINITY], undefined);
    expect(Array.from(tau)).toEqual([0, 0]);
  });
});
