import { ValidationError } from './errors.ts';

/** One actuated degree of freedom, in action order. Units: rad / m, rad/s / m/s, N·m / N. */
export interface JointSpec {
  name: string;
  kind: 'hinge' | 'slide' | 'gripper' | 'base_x' | 'base_y' | 'base_yaw' | 'torso';
  lower: number;
  upper: number;
  maxVelocity: number;
  maxTorque: number;
  /** PD gains used to track targets for this joint. */
  kp: number;
  kd: number;
}

export interface CameraSpec {
  name: string;
  width: number;
  height: number;
}

/**
 * What a robot body looks like to a policy: joints, cameras, rates and the layouts of state and
 * action vectors. Actions are absolute joint targets (+ gripper), `actionNames[i]` names entry i.
 */
export interface EmbodimentSpec {
  name: string;
  /** LeRobot `robot_type`. */
  robotType: string;
  joints: JointSpec[];
  stateNames: string[];
  actionNames: string[];
  cameras: CameraSpec[];
  /** Policy (action) rate, Hz. */
  controlHz: number;
  /** Physics / PD rate, Hz. */
  physicsHz: number;
}

export function stateDim(spec: EmbodimentSpec): number {
  return spec.stateNames.length;
}

export function actionDim(spec: EmbodimentSpec): number {
  return spec.actionNames.length;
}

/** Checks an embodiment description; throws a ValidationError naming the first bad field. */
export function validateEmbodimentSpec(spec: EmbodimentSpec): EmbodimentSpec {
  const f = (k: string) => `embodiment(${spec.name}).${k}`;
  if (!spec.name || typeof spec.name !== 'string')
    throw new ValidationError('embodiment.name', spec.name, 'a non-empty string');
  if (!(spec.controlHz > 0)) throw new ValidationError(f('controlHz'), spec.controlHz, 'a positive number');
  if (!(spec.physicsHz >= spec.controlHz))
    throw new ValidationError(f('physicsHz'), spec.physicsHz, `>= controlHz (${spec.controlHz})`);
  if (spec.joints.length === 0) throw new ValidationError(f('joints'), spec.joints, 'at least one joint');
  const names = new Set<string>();
  for (const [i, j] of spec.joints.entries()) {
    if (names.has(j.name)) throw new ValidationError(f(`joints[${i}].name`), j.name, 'a unique joint name');
    names.add(j.name);
    if (!(j.lower < j.upper))
      throw new ValidationError(f(`joints[${i}].lower`), j.lower, `< upper (${j.upper})`);
    for (const k of ['maxVelocity', 'maxTorque', 'kp'] as const) {
      if (!(j[k] > 0)) throw new ValidationError(f(`joints[${i}].${k}`), j[k], 'a positive number');
    }
    if (!(j.kd >= 0)) throw new ValidationError(f(`joints[${i}].kd`), j.kd, 'a non-negative number');
  }
  for (const [i, c] of spec.cameras.entries()) {
    if (!Number.isInteger(c.width) || c.width <= 0)
      throw new ValidationError(f(`cameras[${i}].width`), c.width, 'a positive integer');
    if (!Number.isInteger(c.height) || c.height <= 0)
      throw new ValidationError(f(`cameras[${i}].height`), c.height, 'a positive integer');
  }
  return spec;
}
