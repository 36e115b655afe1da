import type { CameraSpec, JointSpec } from '../embodiment.ts';

/** Shorthand for a JointSpec row: name, kind, [lower, upper], max velocity, max torque, kp, kd. */
export function joint(
  name: string,
  kind: JointSpec['kind'],
  range: [number, number],
  maxVelocity: number,
  maxTorque: number,
  kp: number,
  kd: number,
): JointSpec {
  return { name, kind, lower: range[0], upper: range[1], maxVelocity, maxTorque, kp, kd };
}

/** Default camera resolution of every simulated body (96×96). */
export function camera(name: string, width = 96, height = 96): CameraSpec {
  return { name, width, height };
}

export const PI = Math.PI;
