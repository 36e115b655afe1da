import type { EmbodimentSpec } from '@robofm/core';
import type { Vec3 } from '../scene.ts';

/**
 * How the scripted expert drives one arm of a body: its end-effector site, gripper joint and
 * values, which axes of the site frame IK matches (all three, or only the approach axis on bodies
 * that cannot turn the wrist), and where a grasped object's centre sits in the site frame.
 * Site convention (all bodies): at a top-down grasp the site's z axis points up (fingers down)
 * and the fingers close along the site's y axis.
 */
export interface ArmConfig {
  site: string;
  side?: 'left' | 'right';
  gripper: number;
  open: number;
  closed: number;
  rotAxes: number[];
  /** Object centre relative to the site (site frame) when grasped, before the height offset. */
  graspOffset: Vec3;
  /** Max object width (m) the open gripper takes. */
  maxWidth: number;
  /**
   * One-jaw grippers: the object goes against the fixed jaw, whose inner face is at this site-frame
   * y; the object centre is then offset by its half width (plus clearance) toward the moving jaw.
   */
  fixedJaw?: number;
  /** Lowest the site may go above the surface under the object (jaw tips below the site). */
  minAboveSurface: number;
}

export interface BodyConfig {
  arms: ArmConfig[];
  /** Joint cost for DLS (higher = moves less), `spec.joints` order. */
  jointCost: number[];
  /** Indices of base_x, base_y, base_yaw (mobile) or empty. */
  base: number[];
  /** Rotation weight (m per rad) in the IK task vector. */
  rotWeight: number;
}

export function bodyConfig(spec: EmbodimentSpec): BodyConfig {
  const idx = (name: string) => {
    const i = spec.joints.findIndex((j) => j.name === name);
    if (i < 0) throw new Error(`bodyConfig(${spec.name}): no joint ${name}`);
    return i;
  };
  const jointCost = spec.joints.map((j) =>
    j.kind === 'base_x' || j.kind === 'base_y' || j.kind === 'base_yaw'
      ? 1e4
      : j.name === 'torso_yaw'
        ? 2
        : j.name === 'torso_height'
          ? 3
          : 1,
  );
  const base = spec.joints.flatMap((j, i) => (j.kind.startsWith('base_') ? [i] : []));
  const parallel = (site: string, gripper: string, side?: 'left' | 'right'): ArmConfig => ({
    site,
    side,
    gripper: idx(gripper),
    open: 0.04,
    closed: 0,
    rotAxes: [0, 1, 2],
    graspOffset: [0, 0, 0],
    maxWidth: 0.075,
    minAboveSurface: 0.004,
  });
  switch (spec.name) {
    case 'arm4':
      return {
        arms: [
          {
            site: 'ee',
            gripper: idx('gripper'),
            open: 1.0,
            closed: 0,
            rotAxes: [2],
            graspOffset: [0, 0, 0],
            maxWidth: 0.04,
            fixedJaw: -0.004,
            minAboveSurface: 0.015,
          },
        ],
        jointCost,
        base,
        rotWeight: 0.15,
      };
    case 'bimanual':
      return {
        arms: [parallel('ee_left', 'left_gripper', 'left'), parallel('ee_right', 'right_gripper', 'right')],
        jointCost,
        base,
        rotWeight: 0.3,
      };
    case 'humanoid':
      return {
        // Approach axis only (yaw left free): the 7-DoF arm otherwise runs its wrist into limits.
        arms: [
          { ...parallel('ee_right', 'right_gripper', 'right'), rotAxes: [2] },
          { ...parallel('ee_left', 'left_gripper', 'left'), rotAxes: [2] },
        ],
        jointCost,
        base,
        rotWeight: 0.3,
      };
    default:
      return { arms: [parallel('ee', 'gripper')], jointCost, base, rotWeight: 0.3 };
  }
}
