/** Reusable robot parts: a parallel-jaw gripper hand and arm chains. */
import type { Quat, Rgba, Vec3 } from '../scene.ts';
import type { CameraDescr, GripperDescr, LinkDescr } from './description.ts';

export const ORANGE: Rgba = [0.93, 0.45, 0.12, 1];
export const GREY: Rgba = [0.82, 0.82, 0.84, 1];
export const DARK: Rgba = [0.15, 0.15, 0.17, 1];
export const BLUE: Rgba = [0.15, 0.45, 0.85, 1];

/**
 * A palm + two slide fingers pointing along the link's −z. Joint `<p>gripper` opens the left finger
 * (0 … 0.04 m), `<p>gripper_r` mirrors it. Site `eeSite` sits between the fingertips.
 */
export function parallelHand(
  p: string,
  opts: { pos: Vec3; quat?: Quat; eeSite: string; camera?: string; jointName?: string },
): { link: LinkDescr; gripper: GripperDescr } {
  const jn = opts.jointName ?? `${p}gripper`;
  const cams: CameraDescr[] = opts.camera
    ? [{ name: opts.camera, pos: [0.1, 0, 0], target: [-0.02, 0, -0.25], up: [1, 0, 0], fovy: 75 }]
    : [];
  const finger = (side: 'l' | 'r'): LinkDescr => {
    const s = side === 'l' ? 1 : -1;
    return {
      name: `${p}finger_${side}`,
      pos: [0, 0, -0.035],
      joints: [
        {
          name: side === 'l' ? jn : `${jn}_r`,
          type: 'slide',
          axis: [0, s, 0],
          damping: 2,
          armature: 0.02,
          ...(side === 'r' ? { range: [0, 0.04] as [number, number] } : {}),
        },
      ],
      geoms: [
        {
          type: 'box',
          size: [0.012, 0.007, 0.03],
          pos: [0, s * 0.007, -0.03],
          rgba: DARK,
          friction: 1.5,
          mass: 0.05,
        },
      ],
    };
  };
  return {
    link: {
      name: `${p}hand`,
      pos: opts.pos,
      quat: opts.quat,
      geoms: [
        { type: 'box', size: [0.03, 0.055, 0.018], pos: [0, 0, -0.017], rgba: GREY, mass: 0.3 },
        {
          type: 'box',
          size: [0.015, 0.012, 0.008],
          pos: [0.1, 0, 0.012],
          rgba: DARK,
          contact: false,
          mass: 0.01,
        },
      ],
      sites: [{ name: opts.eeSite, pos: [0, 0, -0.095] }],
      cameras: cams,
      children: [finger('l'), finger('r')],
    },
    gripper: { joint: jn, follower: `${jn}_r`, fingers: [`${p}finger_l`, `${p}finger_r`] },
  };
}

/**
 * The 6-DoF chain used by `arm6` and `mobile`: pan (z), lift (y), elbow (y), wrist_1 (y),
 * wrist_2 (x), wrist_3 (z); upper arm up, forearm forward, hand down at zero angles.
 */
export function arm6Chain(
  p: string,
  names: string[],
  pos: Vec3,
  eeSite: string,
  camera?: string,
): { link: LinkDescr; gripper: GripperDescr } {
  const hand = parallelHand(p, { pos: [0, 0, -0.045], eeSite, camera, jointName: names[6] });
  const link: LinkDescr = {
    name: `${p}shoulder`,
    pos,
    joints: [{ name: names[0], type: 'hinge', axis: [0, 0, 1], armature: 0.1, damping: 1 }],
    geoms: [{ type: 'cylinder', size: [0.055, 0.04], pos: [0, 0, 0.03], rgba: DARK }],
    children: [
      {
        name: `${p}upper_arm`,
        pos: [0, 0, 0.08],
        joints: [{ name: names[1], type: 'hinge', axis: [0, 1, 0], armature: 0.1, damping: 1 }],
        geoms: [
          { type: 'capsule', fromto: [0, 0, 0, 0, 0, 0.3], size: [0.038], rgba: ORANGE },
          { type: 'cylinder', size: [0.045, 0.05], quat: [Math.SQRT1_2, Math.SQRT1_2, 0, 0], rgba: GREY },
        ],
        children: [
          {
            name: `${p}forearm`,
            pos: [0, 0, 0.3],
            joints: [{ name: names[2], type: 'hinge', axis: [0, 1, 0], armature: 0.08, damping: 0.8 }],
            geoms: [
              { type: 'capsule', fromto: [0, 0, 0, 0.28, 0, 0], size: [0.032], rgba: GREY },
              {
                type: 'cylinder',
                size: [0.04, 0.045],
                quat: [Math.SQRT1_2, Math.SQRT1_2, 0, 0],
                rgba: ORANGE,
              },
            ],
            children: [
              {
                name: `${p}wrist_1_link`,
                pos: [0.28, 0, 0],
                joints: [{ name: names[3], type: 'hinge', axis: [0, 1, 0], armature: 0.03, damping: 0.3 }],
                geoms: [{ type: 'capsule', fromto: [0, 0, 0, 0, 0, -0.06], size: [0.028], rgba: ORANGE }],
                children: [
                  {
                    name: `${p}wrist_2_link`,
                    pos: [0, 0, -0.06],
                    joints: [
                      { name: names[4], type: 'hinge', axis: [1, 0, 0], armature: 0.02, damping: 0.2 },
                    ],
                    geoms: [
                      {
                        type: 'cylinder',
                        size: [0.027, 0.02],
                        quat: [Math.SQRT1_2, 0, Math.SQRT1_2, 0],
                        rgba: GREY,
                      },
                    ],
                    children: [
                      {
                        name: `${p}wrist_3_link`,
                        pos: [0, 0, -0.03],
                        joints: [
                          { name: names[5], type: 'hinge', axis: [0, 0, 1], armature: 0.015, damping: 0.15 },
                        ],
                        geoms: [{ type: 'cylinder', size: [0.025, 0.012], pos: [0, 0, -0.012], rgba: DARK }],
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
  };
  return { link, gripper: hand.gripper };
}
