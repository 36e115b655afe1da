import type { LinkDescr, RobotDescription } from './description.ts';
import { DARK, GREY, ORANGE, parallelHand } from './parts.ts';

const THIGH = 0.38;
const SHIN = 0.38;
/** Hip joint below the pelvis origin, and ankle height above the floor. */
const HIP_DROP = 0.05;
const ANKLE_HEIGHT = 0.05;

function leg(side: 'l' | 'r'): LinkDescr {
  const y = side === 'l' ? 0.1 : -0.1;
  return {
    name: `thigh_${side}`,
    pos: [0, y, -HIP_DROP],
    joints: [
      { name: `hip_${side}`, type: 'hinge', axis: [0, 1, 0], range: [-2, 0.6], armature: 0.2, damping: 2 },
    ],
    geoms: [{ type: 'capsule', fromto: [0, 0, 0, 0, 0, -THIGH], size: [0.055], rgba: GREY, contact: false }],
    children: [
      {
        name: `shin_${side}`,
        pos: [0, 0, -THIGH],
        joints: [
          {
            name: `knee_${side}`,
            type: 'hinge',
            axis: [0, 1, 0],
            range: [0, 2.6],
            armature: 0.2,
            damping: 2,
          },
        ],
        geoms: [
          { type: 'capsule', fromto: [0, 0, 0, 0, 0, -SHIN], size: [0.045], rgba: DARK, contact: false },
        ],
        children: [
          {
            name: `foot_${side}`,
            pos: [0, 0, -SHIN],
            joints: [
              {
                name: `ankle_${side}`,
                type: 'hinge',
                axis: [0, 1, 0],
                range: [-1.3, 1.3],
                armature: 0.1,
                damping: 1,
              },
            ],
            geoms: [
              { type: 'box', size: [0.11, 0.05, 0.022], pos: [0.03, 0, -0.028], rgba: DARK, contact: false },
            ],
          },
        ],
      },
    ],
  };
}

function arm(side: 'left' | 'right'): {
  link: LinkDescr;
  gripper: ReturnType<typeof parallelHand>['gripper'];
} {
  const p = `${side}_`;
  const s = side === 'left' ? 1 : -1;
  const hand = parallelHand(p, { pos: [0, 0, -0.05], eeSite: `ee_${side}` });
  const link: LinkDescr = {
    name: `${p}upper_arm`,
    pos: [0, s * 0.21, 0.42],
    joints: [
      { name: `${p}shoulder_pitch`, type: 'hinge', axis: [0, 1, 0], armature: 0.1, damping: 1 },
      { name: `${p}shoulder_roll`, type: 'hinge', axis: [1, 0, 0], armature: 0.1, damping: 1 },
      { name: `${p}shoulder_yaw`, type: 'hinge', axis: [0, 0, 1], armature: 0.05, damping: 0.5 },
    ],
    geoms: [
      { type: 'sphere', size: [0.05], rgba: ORANGE },
      { type: 'capsule', fromto: [0, 0, 0, 0, 0, -0.27], size: [0.038], rgba: GREY },
    ],
    children: [
      {
        name: `${p}forearm`,
        pos: [0, 0, -0.27],
        joints: [{ name: `${p}elbow`, type: 'hinge', axis: [0, -1, 0], armature: 0.05, damping: 0.5 }],
        geoms: [{ type: 'capsule', fromto: [0, 0, 0, 0, 0, -0.24], size: [0.032], rgba: ORANGE }],
        children: [
          {
            name: `${p}wrist`,
            pos: [0, 0, -0.24],
            joints: [
              { name: `${p}wrist_yaw`, type: 'hinge', axis: [0, 0, 1], armature: 0.02, damping: 0.2 },
              { name: `${p}wrist_pitch`, type: 'hinge', axis: [0, -1, 0], armature: 0.02, damping: 0.2 },
              { name: `${p}wrist_roll`, type: 'hinge', axis: [0, 0, 1], armature: 0.015, damping: 0.15 },
            ],
            geoms: [{ type: 'sphere', size: [0.032], rgba: DARK }],
            children: [hand.link],
          },
        ],
      },
    ],
  };
  return { link, gripper: { ...hand.gripper, arm: side } };
}

const left = arm('left');
const right = arm('right');

/**
 * Leg targets for the built-in controller: two-link inverse kinematics that keeps each ankle under
 * its hip at the current pelvis height, knees forward, feet flat.
 */
function legController(q: (name: string) => number, out: Float64Array): void {
  const d = Math.min(THIGH + SHIN - 1e-3, Math.max(0.2, q('torso_height') - HIP_DROP - ANKLE_HEIGHT));
  const a = Math.acos(d / (THIGH + SHIN)); // equal links: thigh leans forward by a, knee bends 2a
  out[0] = -a;
  out[1] = 2 * a;
  out[2] = -a;
  out[3] = -a;
  out[4] = 2 * a;
  out[5] = -a;
}

/**
 * Standing humanoid: pelvis on a height slide + yaw hinge (torso roll/pitch are held by the ideal
 * balance of the built-in controller), legs driven by leg IK, torso with a head camera, two 7-DoF
 * arms with grippers. The base frame sits on the floor.
 */
export const humanoidRobot: RobotDescription = {
  embodiment: 'humanoid',
  links: [
    {
      name: 'pelvis',
      pos: [0, 0, 0],
      joints: [
        { name: 'torso_height', type: 'slide', axis: [0, 0, 1], damping: 20, armature: 2 },
        { name: 'torso_yaw', type: 'hinge', axis: [0, 0, 1], damping: 5, armature: 0.5 },
      ],
      geoms: [{ type: 'box', size: [0.1, 0.15, 0.06], rgba: DARK, mass: 8, contact: false }],
      children: [
        leg('l'),
        leg('r'),
        {
          name: 'torso',
          pos: [0, 0, 0.08],
          geoms: [
            { type: 'box', size: [0.11, 0.17, 0.2], pos: [0, 0, 0.25], rgba: GREY, mass: 15, contact: false },
            { type: 'capsule', fromto: [0, 0, 0.45, 0, 0, 0.5], size: [0.04], rgba: DARK, contact: false },
            { type: 'sphere', size: [0.1], pos: [0, 0, 0.6], rgba: ORANGE, mass: 2, contact: false },
            { type: 'box', size: [0.02, 0.06, 0.025], pos: [0.09, 0, 0.62], rgba: DARK, contact: false },
          ],
          cameras: [{ name: 'head', pos: [0.12, 0, 0.62], target: [0.62, 0, -0.15], fovy: 75 }],
          children: [left.link, right.link],
        },
      ],
    },
  ],
  grippers: [left.gripper, right.gripper],
  eeSites: ['ee_left', 'ee_right'],
  home: {
    torso_height: 0.8,
    left_shoulder_pitch: -0.5,
    left_elbow: 1.3,
    left_wrist_pitch: -1.2,
    left_gripper: 0.04,
    right_shoulder_pitch: -0.5,
    right_elbow: 1.3,
    right_wrist_pitch: -1.2,
    right_gripper: 0.04,
  },
  defaultBase: { pos: [-0.78, 0, 0], yaw: 0 },
  overview: { pos: [1.9, 1.5, 1.8], target: [0.3, 0, 0.8] },
  defaultScene: 'tabletop',
  internalJoints: [
    { name: 'hip_l', kp: 400, kd: 20, maxTorque: 300 },
    { name: 'knee_l', kp: 400, kd: 20, maxTorque: 300 },
    { name: 'ankle_l', kp: 150, kd: 8, maxTorque: 150 },
    { name: 'hip_r', kp: 400, kd: 20, maxTorque: 300 },
    { name: 'knee_r', kp: 400, kd: 20, maxTorque: 300 },
    { name: 'ankle_r', kp: 150, kd: 8, maxTorque: 150 },
  ],
  internalController: legController,
};
