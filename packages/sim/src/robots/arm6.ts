import { arm6Spec } from '@robofm/core';
import type { RobotDescription } from './description.ts';
import { arm6Chain, DARK } from './parts.ts';

const names = arm6Spec.joints.map((j) => j.name);
const chain = arm6Chain('', names, [0, 0, 0.06], 'ee', 'wrist');

/** Table-mounted 6-DoF arm; the base frame sits on the table top at the table's −x edge. */
export const arm6Robot: RobotDescription = {
  embodiment: 'arm6',
  links: [
    {
      name: 'base',
      pos: [0, 0, 0],
      geoms: [{ type: 'cylinder', size: [0.08, 0.03], pos: [0, 0, 0.03], rgba: DARK, contact: false }],
      // Framed on the workspace (objects 5–8 px wide at 96², twice the old far view's), gripper in view.
      cameras: [{ name: 'front', pos: [1.0, 0.5, 0.75], target: [0.38, 0, 0], fovy: 52 }],
      children: [chain.link],
    },
  ],
  grippers: [chain.gripper],
  eeSites: ['ee'],
  home: { shoulder_lift: 0, elbow: 0.3, wrist_1: -0.3, gripper: 0.04 },
  defaultBase: { pos: [-0.45, 0, 0.75], yaw: 0 },
  defaultScene: 'tabletop',
};
