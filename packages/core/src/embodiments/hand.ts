import type { EmbodimentSpec } from '../embodiment.ts';
import { camera, joint, PI } from './joint.ts';

/**
 * A free-floating gripper driven by 6-DoF pose targets (world-frame position, m, and roll/pitch/yaw,
 * rad, applied as yaw·pitch·roll), standing in for human demonstrations.
 */
export const handSpec: EmbodimentSpec = (() => {
  const joints = [
    joint('hand_x', 'slide', [-0.8, 0.8], 1.5, 150, 1500, 90),
    joint('hand_y', 'slide', [-0.8, 0.8], 1.5, 150, 1500, 90),
    joint('hand_z', 'slide', [0.0, 1.6], 1.5, 150, 1500, 90),
    joint('hand_roll', 'hinge', [-PI, PI], 4, 10, 40, 1.5),
    joint('hand_pitch', 'hinge', [-1.5, 1.5], 4, 10, 40, 1.5),
    joint('hand_yaw', 'hinge', [-PI, PI], 4, 10, 40, 1.5),
    joint('gripper', 'gripper', [0, 0.04], 0.2, 40, 1500, 30),
  ];
  const names = joints.map((j) => j.name);
  return {
    name: 'hand',
    robotType: 'robofm_hand',
    joints,
    stateNames: names,
    actionNames: names,
    cameras: [camera('front'), camera('wrist')],
    controlHz: 20,
    physicsHz: 500,
  };
})();
