import type { EmbodimentSpec, JointSpec } from '../embodiment.ts';
import { camera, joint, PI } from './joint.ts';

function arm7(side: 'left' | 'right'): JointSpec[] {
  const s = side === 'left' ? 1 : -1;
  return [
    joint(`${side}_shoulder_pitch`, 'hinge', [-2.8, 1.2], 3, 50, 300, 18),
    joint(`${side}_shoulder_roll`, 'hinge', s > 0 ? [-0.3, 2.6] : [-2.6, 0.3], 3, 50, 300, 18),
    joint(`${side}_shoulder_yaw`, 'hinge', [-2.6, 2.6], 3, 30, 120, 6),
    joint(`${side}_elbow`, 'hinge', [-0.1, 2.5], 3, 30, 200, 10),
    joint(`${side}_wrist_yaw`, 'hinge', [-PI, PI], 4, 8, 30, 1),
    joint(`${side}_wrist_pitch`, 'hinge', [-1.5, 1.5], 4, 8, 40, 1.5),
    joint(`${side}_wrist_roll`, 'hinge', [-PI, PI], 5, 6, 20, 0.6),
    joint(`${side}_gripper`, 'gripper', [0, 0.04], 0.2, 40, 1500, 30),
  ];
}

/**
 * Torso with a head camera and two 7-DoF arms on legs. The policy drives the arms, the torso
 * height (pelvis height, m) and yaw; a built-in controller moves the legs to keep the feet under
 * the torso (leg joints are not part of state or action).
 */
export const humanoidSpec: EmbodimentSpec = (() => {
  const joints = [
    joint('torso_height', 'torso', [0.6, 0.85], 0.5, 2000, 6000, 900),
    joint('torso_yaw', 'torso', [-PI, PI], 1.5, 300, 600, 90),
    ...arm7('left'),
    ...arm7('right'),
  ];
  const names = joints.map((j) => j.name);
  return {
    name: 'humanoid',
    robotType: 'robofm_humanoid',
    joints,
    stateNames: names,
    actionNames: names,
    cameras: [camera('head')],
    controlHz: 20,
    physicsHz: 500,
  };
})();
