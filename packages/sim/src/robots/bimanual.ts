import type { Quat } from '../scene.ts';
import type { LinkDescr, RobotDescription } from './description.ts';
import { DARK, GREY, parallelHand } from './parts.ts';

const BLACK: [number, number, number, number] = [0.1, 0.1, 0.11, 1];
const HAND_FORWARD: Quat = [Math.SQRT1_2, 0, -Math.SQRT1_2, 0];

/** One ViperX-like arm: waist (z), shoulder (y), elbow (y), forearm roll (x), wrist angle (y), rotate (x). */
function alohaArm(side: 'left' | 'right'): {
  link: LinkDescr;
  gripper: ReturnType<typeof parallelHand>['gripper'];
} {
  const p = `${side}_`;
  const hand = parallelHand(p, {
    pos: [0.04, 0, 0],
    quat: HAND_FORWARD,
    eeSite: `ee_${side}`,
    camera: `cam_${side}_wrist`,
  });
  const x = side === 'left' ? -0.47 : 0.47;
  const q: Quat = side === 'left' ? [1, 0, 0, 0] : [0, 0, 0, 1];
  const link: LinkDescr = {
    name: `${p}base`,
    pos: [x, 0, 0],
    quat: q,
    geoms: [{ type: 'box', size: [0.06, 0.06, 0.02], pos: [0, 0, 0.02], rgba: BLACK, contact: false }],
    children: [
      {
        name: `${p}waist_link`,
        pos: [0, 0, 0.04],
        joints: [{ name: `${p}waist`, type: 'hinge', axis: [0, 0, 1], armature: 0.08, damping: 1 }],
        geoms: [{ type: 'cylinder', size: [0.04, 0.03], pos: [0, 0, 0.03], rgba: BLACK }],
        children: [
          {
            name: `${p}upper_arm`,
            pos: [0, 0, 0.07],
            joints: [{ name: `${p}shoulder`, type: 'hinge', axis: [0, 1, 0], armature: 0.08, damping: 1 }],
            geoms: [{ type: 'capsule', fromto: [0, 0, 0, 0.05, 0, 0.3], size: [0.028], rgba: BLACK }],
            children: [
              {
                name: `${p}forearm`,
                pos: [0.05, 0, 0.3],
                joints: [{ name: `${p}elbow`, type: 'hinge', axis: [0, 1, 0], armature: 0.06, damping: 0.8 }],
                geoms: [{ type: 'capsule', fromto: [0, 0, 0, 0.12, 0, 0], size: [0.025], rgba: BLACK }],
                children: [
                  {
                    name: `${p}forearm_roll_link`,
                    pos: [0.12, 0, 0],
                    joints: [
                      {
                        name: `${p}forearm_roll`,
                        type: 'hinge',
                        axis: [1, 0, 0],
                        armature: 0.02,
                        damping: 0.2,
                      },
                    ],
                    geoms: [{ type: 'capsule', fromto: [0, 0, 0, 0.15, 0, 0], size: [0.022], rgba: GREY }],
                    children: [
                      {
                        name: `${p}wrist_link`,
                        pos: [0.15, 0, 0],
                        joints: [
                          {
                            name: `${p}wrist_angle`,
                            type: 'hinge',
                            axis: [0, 1, 0],
                            armature: 0.02,
                            damping: 0.2,
                          },
                        ],
                        geoms: [
                          { type: 'capsule', fromto: [0, 0, 0, 0.05, 0, 0], size: [0.022], rgba: BLACK },
                        ],
                        children: [
                          {
                            name: `${p}wrist_rotate_link`,
                            pos: [0.05, 0, 0],
                            joints: [
                              {
                                name: `${p}wrist_rotate`,
                                type: 'hinge',
                                axis: [1, 0, 0],
                                armature: 0.015,
                                damping: 0.15,
                              },
                            ],
                            geoms: [
                              {
                                type: 'cylinder',
                                size: [0.024, 0.02],
                                pos: [0.02, 0, 0],
                                quat: [Math.SQRT1_2, 0, Math.SQRT1_2, 0],
                                rgba: DARK,
                              },
                            ],
                            children: [hand.link],
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
  };
  return { link, gripper: { ...hand.gripper, arm: side } };
}

const left = alohaArm('left');
const right = alohaArm('right');

/** Two arms at the ends of the table facing each other (ALOHA layout); base frame on the table top. */
export const bimanualRobot: RobotDescription = {
  embodiment: 'bimanual',
  links: [
    {
      name: 'rig',
      pos: [0, 0, 0],
      geoms: [{ type: 'box', size: [0.01, 0.01, 0.01], pos: [0, 0.6, 0.01], rgba: DARK, contact: false }],
      cameras: [
        { name: 'cam_high', pos: [0, -0.32, 0.72], target: [0, 0.02, 0], up: [0, 1, 0], fovy: 65 },
        { name: 'cam_low', pos: [0, -0.38, 0.12], target: [0, 0.1, 0.02], fovy: 70 },
      ],
    },
    left.link,
    right.link,
  ],
  grippers: [left.gripper, right.gripper],
  eeSites: ['ee_left', 'ee_right'],
  home: {
    left_shoulder: 0,
    left_elbow: 0.4,
    left_wrist_angle: 0.8,
    left_gripper: 0.04,
    right_shoulder: 0,
    right_elbow: 0.4,
    right_wrist_angle: 0.8,
    right_gripper: 0.04,
  },
  defaultBase: { pos: [0, 0, 0.75], yaw: 0 },
  overview: { pos: [0.9, -1.5, 0.9], target: [0, 0, 0.15] },
  defaultScene: 'aloha',
};
