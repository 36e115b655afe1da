/**
 * Robot bodies as checked description objects: a tree of links with primitive geoms, joints,
 * sites and cameras. `robot-mjcf.ts` turns one into MJCF. Joint names that appear in the
 * embodiment's spec are actuated by the PD controller (ranges and torque limits come from the
 * spec: one source of truth); other joints are internal (e.g. legs) with their own gains.
 */
import { type EmbodimentSpec, ValidationError } from '@robofm/core';
import type { Quat, Rgba, Vec3 } from '../scene.ts';

export interface GeomDescr {
  type: 'box' | 'sphere' | 'capsule' | 'cylinder';
  /** MuJoCo `size` (half sizes / radius, half-length). Omit for capsules/cylinders given `fromto`. */
  size?: number[];
  fromto?: [number, number, number, number, number, number];
  pos?: Vec3;
  quat?: Quat;
  rgba: Rgba;
  name?: string;
  /** Collides with objects / fixtures (default true). */
  contact?: boolean;
  mass?: number;
  friction?: number;
}

export interface JointDescr {
  name: string;
  type: 'hinge' | 'slide';
  axis: Vec3;
  damping?: number;
  armature?: number;
  /** Only for joints not in the spec (internal joints, gripper followers). */
  range?: [number, number];
}

export interface CameraDescr {
  name: string;
  pos: Vec3;
  /** A point (in the link's frame) the camera looks at, with an approximate up direction. */
  target: Vec3;
  up?: Vec3;
  /** Vertical field of view, degrees. */
  fovy: number;
}

export interface LinkDescr {
  name: string;
  pos: Vec3;
  quat?: Quat;
  joints?: JointDescr[];
  geoms: GeomDescr[];
  sites?: Array<{ name: string; pos: Vec3; quat?: Quat }>;
  cameras?: CameraDescr[];
  children?: LinkDescr[];
}

export interface GripperDescr {
  arm?: 'left' | 'right';
  /** The spec joint that drives it. */
  joint: string;
  /** A second finger joint that mirrors `joint` (equality constraint), if any. */
  follower?: string;
  /** The two bodies that squeeze (for `graspedBodies`). */
  fingers: [string, string];
}

export interface InternalJointGains {
  name: string;
  kp: number;
  kd: number;
  maxTorque: number;
}

export interface RobotDescription {
  embodiment: string;
  /** Links attached to the robot base frame (placed at the scene's `robotBase`). */
  links: LinkDescr[];
  grippers: GripperDescr[];
  eeSites: string[];
  /** Home joint positions (spec joint names); others start at 0. */
  home: Record<string, number>;
  /** Default base pose when the scene gives none. */
  defaultBase: { pos: Vec3; yaw: number };
  /** A third-person `overview` camera (base frame) for pictures; not one of the policy's cameras. */
  overview?: { pos: Vec3; target: Vec3 };
  /** Which default scene suits this body when no task is given. */
  defaultScene: 'tabletop' | 'room' | 'aloha';
  /** Joints driven by a built-in controller (not in the spec). */
  internalJoints?: InternalJointGains[];
  /**
   * Built-in controller: fills targets for `internalJoints` (same order) from the current joint
   * positions (`q(name)` reads any joint, spec or internal).
   */
  internalController?: (q: (name: string) => number, out: Float64Array) => void;
}

function walk(links: LinkDescr[], fn: (l: LinkDescr) => void): void {
  for (const l of links) {
    fn(l);
    walk(l.children ?? [], fn);
  }
}

/** Checks a robot description against its embodiment spec; throws a ValidationError naming the field. */
export function validateRobot(robot: RobotDescription, spec: EmbodimentSpec): RobotDescription {
  const f = (k: string) => `robot(${robot.embodiment}).${k}`;
  if (robot.embodiment !== spec.name) throw new ValidationError(f('embodiment'), robot.embodiment, spec.name);
  const joints = new Map<string, JointDescr>();
  const bodies = new Set<string>();
  const sites = new Set<string>();
  const cams = new Set<string>();
  walk(robot.links, (l) => {
    if (bodies.has(l.name)) throw new ValidationError(f(`links.${l.name}`), l.name, 'a unique link name');
    bodies.add(l.name);
    if (l.geoms.length === 0)
      throw new ValidationError(f(`links.${l.name}.geoms`), l.geoms, 'at least one geom');
    for (const [i, g] of l.geoms.entries()) {
      const want = { box: 3, sphere: 1, capsule: 2, cylinder: 2 }[g.type];
      if (!g.fromto && (!g.size || g.size.length !== want || g.size.some((v) => !(v > 0))))
        throw new ValidationError(f(`links.${l.name}.geoms[${i}].size`), g.size, `${want} positive numbers`);
      if (g.fromto && g.type !== 'capsule' && g.type !== 'cylinder')
        throw new ValidationError(
          f(`links.${l.name}.geoms[${i}].fromto`),
          g.fromto,
          'only on capsules/cylinders',
        );
    }
    for (const j of l.joints ?? []) {
      if (joints.has(j.name)) throw new ValidationError(f(`joints.${j.name}`), j.name, 'a unique joint name');
      joints.set(j.name, j);
    }
    for (const s of l.sites ?? []) sites.add(s.name);
    for (const c of l.cameras ?? []) cams.add(c.name);
  });
  for (const j of spec.joints) {
    if (!joints.has(j.name))
      throw new ValidationError(f('links'), [...joints.keys()], `a joint named '${j.name}' (spec joint)`);
  }
  const specNames = new Set(spec.joints.map((j) => j.name));
  const internal = new Set((robot.internalJoints ?? []).map((j) => j.name));
  const followers = new Set(robot.grippers.map((g) => g.follower).filter(Boolean) as string[]);
  for (const [name, j] of joints) {
    if (!specNames.has(name) && !internal.has(name) && !followers.has(name))
      throw new ValidationError(
        f(`joints.${name}`),
        name,
        'a spec joint, an internal joint or a gripper follower',
      );
    if (!specNames.has(name) && !(j.range && j.range[0] < j.range[1]))
      throw new ValidationError(f(`joints.${name}.range`), j.range, '[lower, upper] with lower < upper');
  }
  for (const c of spec.cameras) {
    if (!cams.has(c.name)) throw new ValidationError(f('cameras'), [...cams], `a camera named '${c.name}'`);
  }
  for (const s of robot.eeSites) {
    if (!sites.has(s)) throw new ValidationError(f('eeSites'), s, `a site defined on a link (${[...sites]})`);
  }
  for (const g of robot.grippers) {
    if (!specNames.has(g.joint)) throw new ValidationError(f('grippers.joint'), g.joint, 'a spec joint');
    for (const b of g.fingers)
      if (!bodies.has(b)) throw new ValidationError(f('grippers.fingers'), b, 'a link name');
  }
  for (const name of Object.keys(robot.home)) {
    if (!specNames.has(name)) throw new ValidationError(f(`home.${name}`), name, 'a spec joint name');
  }
  if (robot.internalJoints && !robot.internalController)
    throw new ValidationError(f('internalController'), undefined, 'a controller for the internal joints');
  return robot;
}
