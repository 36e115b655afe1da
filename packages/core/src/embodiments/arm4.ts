import type { EmbodimentSpec } from '../embodiment.ts';
import { camera, joint, PI } from './joint.ts';

/** A low-cost 4-DoF arm (hobby-servo torques, short links) with a one-jaw gripper. */
export const arm4Spec: EmbodimentSpec = (() => {
  const joints = [
    joint('base', 'hinge', [-PI * 0.9, PI * 0.9], 3, 4, 40, 1.2),
    joint('shoulder', 'hinge', [-1.8, 1.8], 3, 4, 40, 1.2),
    joint('elbow', 'hinge', [-2.4, 2.4], 3, 3, 30, 0.8),
    joint('wrist', 'hinge', [-1.9, 1.9], 4, 1.5, 10, 0.25),
    // Moving-jaw angle, radians: 0 closed … 1.0 open.
    joint('gripper', 'gripper', [0, 1.0], 4, 1.5, 8, 0.2),
  ];
  const names = joints.map((j) => j.name);
  return {
    name: 'arm4',
    robotType: 'robofm_arm4',
    joints,
    stateNames: names,
    actionNames: names,
    cameras: [camera('front'), camera('wrist')],
    controlHz: 25,
    physicsHz: 500,
  };
})();
