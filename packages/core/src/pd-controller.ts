import type { EmbodimentSpec } from './embodiment.ts';

/**
 * The PD controller that tracks the policy's joint targets at physics rate:
 *   τ = Kp (q* − q) − Kd q̇ + bias,  clipped to ±τmax per joint.
 * Pure math, shared by the simulator and real torque-controlled robot drivers.
 */
export interface PdGains {
  kp: Float64Array;
  kd: Float64Array;
  tauMax: Float64Array;
}

export function pdGainsFromSpec(spec: EmbodimentSpec): PdGains {
  const n = spec.joints.length;
  const g: PdGains = { kp: new Float64Array(n), kd: new Float64Array(n), tauMax: new Float64Array(n) };
  spec.joints.forEach((j, i) => {
    g.kp[i] = j.kp;
    g.kd[i] = j.kd;
    g.tauMax[i] = j.maxTorque;
  });
  return g;
}

/**
 * Writes torques into `out` (allocation-free) and returns it. `bias` may be undefined
 * (no gravity compensation). Non-finite targets are treated as "hold current position".
 */
export function pdTorque(
  gains: PdGains,
  q: ArrayLike<number>,
  qd: ArrayLike<number>,
  target: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  out: Float64Array = new Float64Array(gains.kp.length),
): Float64Array {
  const n = gains.kp.length;
  for (let i = 0; i < n; i++) {
    const t = Number.isFinite(target[i]) ? target[i] : q[i];
    let tau = gains.kp[i] * (t - q[i]) - gains.kd[i] * qd[i] + (bias ? bias[i] : 0);
    const m = gains.tauMax[i];
    if (tau > m) tau = m;
    else if (tau < -m) tau = -m;
    out[i] = tau;
  }
  return out;
}
