import { mobileSpec } from '@robofm/core';
import type { RobotDescription } from './description.ts';
import { arm6Chain, DARK, GREY } from './parts.ts';

const armNames = mobileSpec.joints.slice(3).map((j) => j.name);
const chain = arm6Chain('', armNames, [0.16, 0, 0.81], 'ee', 'wrist');

/** The arm6 chain on a holonomic base (slides x, y + yaw); its column puts the arm at table height. */
export const mobileRobot: RobotDescription = {
  embodiment: 'mobile',
  links: [
    {
      name: 'chassis',
      pos: [0, 0, 0],
      joints: [
        { name: 'base_x', type: 'slide', axis: [1, 0, 0], damping: 20, armature: 1 },
        { name: 'base_y', type: 'slide', axis: [0, 1, 0], damping: 20, armature: 1 },
        { name: 'base_yaw', type: 'hinge', axis: [0, 0, 1], damping: 5, armature: 0.5 },
      ],
      geoms: [
        { type: 'box', size: [0.26, 0.22, 0.08], pos: [0, 0, 0.13], rgba: GREY, mass: 25 },
        { type: 'box', size: [0.06, 0.06, 0.3], pos: [0.1, 0, 0.5], rgba: DARK, mass: 3 },
        {
          type: 'cylinder',
          size: [0.05, 0.02],
          pos: [0.16, 0.23, 0.05],
          quat: [Math.SQRT1_2, Math.SQRT1_2, 0, 0],
          rgba: DARK,
          contact: false,
        },
        {
          type: 'cylinder',
          size: [0.05, 0.02],
          pos: [0.16, -0.23, 0.05],
          quat: [Math.SQRT1_2, Math.SQRT1_2, 0, 0],
          rgba: DARK,
          contact: false,
        },
        {
          type: 'cylinder',
          size: [0.05, 0.02],
          pos: [-0.16, 0.23, 0.05],
          quat: [Math.SQRT1_2, Math.SQRT1_2, 0, 0],
          rgba: DARK,
          contact: false,
        },
        {
          type: 'cylinder',
          size: [0.05, 0.02],
          pos: [-0.16, -0.23, 0.05],
          quat: [Math.SQRT1_2, Math.SQRT1_2, 0, 0],
          rgba: DARK,
          contact: false,
        },
        { type: 'box', size: [0.03, 0.03, 0.3], pos: [-0.15, 0, 0.5], rgba: DARK, mass: 2 },
        {
          type: 'box',
          size: [0.05, 0.07, 0.035],
          pos: [-0.16, 0, 1.5],
          rgba: GREY,
          mass: 0.5,
          contact: false,
        },
        {
          type: 'capsule',
          fromto: [-0.15, 0, 0.8, -0.15, 0, 1.47],
          size: [0.02],
          rgba: DARK,
          contact: false,
        },
      ],
      cameras: [{ name: 'head', pos: [0.05, 0, 1.6], target: [1.2, 0, 0.45], fovy: 70 }],
      children: [chain.link],
    },
  ],
  grippers: [chain.gripper],
  eeSites: ['ee'],
  home: { shoulder_lift: 0, elbow: 0.3, wrist_1: -0.3, gripper: 0.04 },
  defaultBase: { pos: [-1.2, 0, 0], yaw: 0 },
  overview: { pos: [1.9, 1.5, 1.9], target: [0.3, 0, 0.6] },
  defaultScene: 'room',
};
