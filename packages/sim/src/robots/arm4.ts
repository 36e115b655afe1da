import type { RobotDescription } from './description.ts';
import { BLUE, DARK, GREY } from './parts.ts';

const WHITE: [number, number, number, number] = [0.92, 0.92, 0.9, 1];

/**
 * A low-cost 4-DoF arm: base yaw, shoulder, elbow, wrist pitch and a single moving jaw against a
 * fixed one. Shorter links (0.12 / 0.14 m) and hobby-servo torques.
 */
export const arm4Robot: RobotDescription = {
  embodiment: 'arm4',
  links: [
    {
      name: 'base',
      pos: [0, 0, 0],
      geoms: [{ type: 'box', size: [0.05, 0.05, 0.02], pos: [0, 0, 0.02], rgba: DARK, contact: false }],
      cameras: [{ name: 'front', pos: [0.75, 0.35, 0.42], target: [0.22, 0, 0.0], fovy: 50 }],
      children: [
        {
          name: 'turret',
          pos: [0, 0, 0.04],
          joints: [{ name: 'base', type: 'hinge', axis: [0, 0, 1], armature: 0.005, damping: 0.05 }],
          geoms: [{ type: 'cylinder', size: [0.03, 0.02], pos: [0, 0, 0.02], rgba: WHITE, mass: 0.1 }],
          children: [
            {
              name: 'upper_arm',
              pos: [0, 0, 0.045],
              joints: [{ name: 'shoulder', type: 'hinge', axis: [0, 1, 0], armature: 0.005, damping: 0.05 }],
              geoms: [{ type: 'box', size: [0.015, 0.02, 0.06], pos: [0, 0, 0.06], rgba: WHITE, mass: 0.08 }],
              children: [
                {
                  name: 'forearm',
                  pos: [0, 0, 0.12],
                  joints: [{ name: 'elbow', type: 'hinge', axis: [0, 1, 0], armature: 0.004, damping: 0.04 }],
                  geoms: [
                    { type: 'box', size: [0.07, 0.015, 0.014], pos: [0.07, 0, 0], rgba: WHITE, mass: 0.07 },
                  ],
                  children: [
                    {
                      name: 'hand',
                      pos: [0.14, 0, 0],
                      joints: [
                        { name: 'wrist', type: 'hinge', axis: [0, 1, 0], armature: 0.002, damping: 0.02 },
                      ],
                      geoms: [
                        {
                          type: 'box',
                          size: [0.02, 0.022, 0.012],
                          pos: [0, 0, -0.012],
                          rgba: BLUE,
                          mass: 0.05,
                        },
                        // Fixed jaw.
                        {
                          type: 'box',
                          size: [0.01, 0.005, 0.03],
                          pos: [0, -0.009, -0.052],
                          rgba: DARK,
                          friction: 1.5,
                          mass: 0.01,
                        },
                      ],
                      sites: [{ name: 'ee', pos: [0, 0, -0.07] }],
                      cameras: [
                        {
                          name: 'wrist',
                          pos: [0.055, 0, 0.02],
                          target: [-0.01, 0, -0.15],
                          up: [1, 0, 0],
                          fovy: 75,
                        },
                      ],
                      children: [
                        {
                          name: 'jaw',
                          pos: [0, 0.005, -0.022],
                          joints: [
                            {
                              name: 'gripper',
                              type: 'hinge',
                              axis: [1, 0, 0],
                              armature: 0.002,
                              damping: 0.02,
                            },
                          ],
                          geoms: [
                            {
                              type: 'box',
                              size: [0.01, 0.005, 0.03],
                              pos: [0, 0.004, -0.03],
                              rgba: GREY,
                              friction: 1.5,
                              mass: 0.01,
                            },
                          ],
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  ],
  grippers: [{ joint: 'gripper', fingers: ['hand', 'jaw'] }],
  eeSites: ['ee'],
  home: { shoulder: 0, elbow: 0.3, wrist: -0.3, gripper: 0.8 },
  defaultBase: { pos: [-0.32, 0, 0.75], yaw: 0 },
  defaultScene: 'tabletop',
};
