import type { RobotDescription } from './description.ts';
import { DARK, parallelHand } from './parts.ts';

const hand = parallelHand('', { pos: [0, 0, 0], eeSite: 'ee', camera: 'wrist' });

/**
 * A free-floating gripper: slides x, y, z (world frame, the base sits at the world origin) then
 * yaw, pitch, roll hinges; the fingers point down at zero angles. A static rig holds the
 * `front` camera.
 */
export const handRobot: RobotDescription = {
  embodiment: 'hand',
  links: [
    {
      name: 'rig',
      pos: [0, 0, 0],
      geoms: [{ type: 'box', size: [0.01, 0.01, 0.01], pos: [0, 0, 0.01], rgba: DARK, contact: false }],
      cameras: [{ name: 'front', pos: [0.7, 0.4, 1.2], target: [-0.05, 0, 0.8], fovy: 50 }],
    },
    {
      name: 'hand_root',
      pos: [0, 0, 0],
      joints: [
        { name: 'hand_x', type: 'slide', axis: [1, 0, 0], damping: 5, armature: 0.5 },
        { name: 'hand_y', type: 'slide', axis: [0, 1, 0], damping: 5, armature: 0.5 },
        { name: 'hand_z', type: 'slide', axis: [0, 0, 1], damping: 5, armature: 0.5 },
        { name: 'hand_yaw', type: 'hinge', axis: [0, 0, 1], damping: 0.3, armature: 0.03 },
        { name: 'hand_pitch', type: 'hinge', axis: [0, 1, 0], damping: 0.3, armature: 0.03 },
        { name: 'hand_roll', type: 'hinge', axis: [1, 0, 0], damping: 0.3, armature: 0.03 },
      ],
      geoms: [{ type: 'sphere', size: [0.02], rgba: DARK, contact: false, mass: 0.05 }],
      children: [hand.link],
    },
  ],
  grippers: [hand.gripper],
  eeSites: ['ee'],
  home: { hand_x: -0.1, hand_z: 1.0, gripper: 0.04 },
  defaultBase: { pos: [0, 0, 0], yaw: 0 },
  overview: { pos: [1.3, 1.0, 1.6], target: [-0.05, 0, 0.85] },
  defaultScene: 'tabletop',
};
