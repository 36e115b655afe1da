import type { EmbodimentSpec } from '../embodiment.ts';
import { arm6Joints } from './arm6.ts';
import { camera, joint, PI } from './joint.ts';

/** The 6-DoF arm on a holonomic base (x, y in metres, yaw in radians, world frame) in a room. */
export const mobileSpec: EmbodimentSpec = (() => {
  const joints = [
    joint('base_x', 'base_x', [-4, 4], 1, 400, 3000, 700),
    joint('base_y', 'base_y', [-4, 4], 1, 400, 3000, 700),
    joint('base_yaw', 'base_yaw', [-2 * PI, 2 * PI], 1.5, 200, 400, 60),
    ...arm6Joints(),
  ];
  const names = joints.map((j) => j.name);
  return {
    name: 'mobile',
    robotType: 'robofm_mobile',
    joints,
    stateNames: names,
    actionNames: names,
    cameras: [camera('head'), camera('wrist')],
    controlHz: 10,
    physicsHz: 500,
  };
})();
