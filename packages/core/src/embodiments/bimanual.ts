import type { EmbodimentSpec, JointSpec } from '../embodiment.ts';
import { camera, joint, PI } from './joint.ts';

/** One ALOHA-style (ViperX-like) arm: 6 joints + gripper, ALOHA joint names. */
function alohaArm(side: 'left' | 'right'): JointSpec[] {
  return [
    joint(`${side}_waist`, 'hinge', [-PI, PI], 2.5, 40, 300, 20),
    joint(`${side}_shoulder`, 'hinge', [-1.85, 1.25], 2.5, 40, 300, 20),
    joint(`${side}_elbow`, 'hinge', [-1.76, 1.6], 3, 30, 250, 12),
    joint(`${side}_forearm_roll`, 'hinge', [-PI, PI], 4, 10, 40, 1.5),
    joint(`${side}_wrist_angle`, 'hinge', [-1.8, 2.1], 4, 10, 50, 2),
    joint(`${side}_wrist_rotate`, 'hinge', [-PI, PI], 5, 6, 25, 0.8),
    joint(`${side}_gripper`, 'gripper', [0, 0.04], 0.2, 40, 1500, 30),
  ];
}

/** Two 6-DoF arms facing each other across a table, laid out like ALOHA (width 14, 50 Hz). */
export const bimanualSpec: EmbodimentSpec = (() => {
  const joints = [...alohaArm('left'), ...alohaArm('right')];
  const names = joints.map((j) => j.name);
  return {
    name: 'bimanual',
    robotType: 'aloha',
    joints,
    stateNames: names,
    actionNames: names,
    cameras: [camera('cam_high'), camera('cam_low'), camera('cam_left_wrist'), camera('cam_right_wrist')],
    controlHz: 50,
    physicsHz: 500,
  };
})();
