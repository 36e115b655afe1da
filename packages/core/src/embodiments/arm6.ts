import type { EmbodimentSpec, JointSpec } from '../embodiment.ts';
import { camera, joint, PI } from './joint.ts';

/** The joints of one 6-DoF arm + parallel gripper, names prefixed (`''`, `left_`, `right_`). */
export function arm6Joints(prefix = ''): JointSpec[] {
  return [
    joint(`${prefix}shoulder_pan`, 'hinge', [-PI, PI], 2.5, 60, 400, 25),
    joint(`${prefix}shoulder_lift`, 'hinge', [-1.9, 1.9], 2.5, 60, 400, 25),
    joint(`${prefix}elbow`, 'hinge', [-2.6, 2.6], 3, 40, 300, 15),
    joint(`${prefix}wrist_1`, 'hinge', [-2.2, 2.2], 4, 12, 60, 2.5),
    joint(`${prefix}wrist_2`, 'hinge', [-PI, PI], 4, 12, 40, 1.5),
    joint(`${prefix}wrist_3`, 'hinge', [-PI, PI], 5, 8, 25, 0.8),
    // Finger opening per finger, metres: 0 closed … 0.04 open.
    joint(`${prefix}gripper`, 'gripper', [0, 0.04], 0.2, 40, 1500, 30),
  ];
}

/** Table-mounted 6-DoF arm with a parallel gripper. */
export const arm6Spec: EmbodimentSpec = (() => {
  const joints = arm6Joints();
  const names = joints.map((j) => j.name);
  return {
    name: 'arm6',
    robotType: 'robofm_arm6',
    joints,
    stateNames: names,
    actionNames: names,
    cameras: [camera('front'), camera('wrist')],
    controlHz: 20,
    physicsHz: 500,
  };
})();
