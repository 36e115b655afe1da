import type { SceneDescription, Vec3 } from '../scene.ts';
import type { SimWorld, TaskEvaluation } from '../task.ts';
import { BIN_INNER, BIN_WALL_H } from './scene-kit.ts';
import { restingHalfHeight } from './vocab.ts';

/**
 * What a finished episode must look like, as data: each object and where it must end up. Success
 * detectors check these against the simulator; scripted experts read the same list as their plan.
 */
export type Dest =
  /** Inside a bin fixture, released. */
  | { kind: 'bin'; bin: string }
  /** Resting on top of another object (stacking). */
  | { kind: 'on'; object: string }
  /** Centre within `radius` of a marked spot on a surface (pushing). */
  | { kind: 'zone'; pos: Vec3; radius: number }
  /** Anywhere on a table surface but in no bin (a phone moved aside, an extra copy put back). */
  | { kind: 'aside' };

export interface Goal {
  object: string;
  dest: Dest;
  /** Words for subtask labels: "red cube", "blue bin". */
  objectWords: string;
  destWords: string;
  /** How the object must be moved: lifted (pick) or pushed along the surface. */
  mode: 'pick' | 'push';
}

/** Failure codes reported at timeout (first unmet condition) or on an unrecoverable event. */
export type UnmetReason =
  | 'not_in_bin'
  | 'wrong_bin'
  | 'extra_in_bin'
  | 'phone_not_moved'
  | 'still_held'
  | 'not_stacked'
  | 'not_on_target'
  | 'object_on_floor'
  | 'moving';

/** A bin's interior as an axis-aligned box (bins are never rotated). */
export function binInterior(scene: SceneDescription, bin: string): { min: Vec3; max: Vec3 } {
  const f = scene.fixtures.find((x) => x.name === bin);
  if (!f) throw new Error(`binInterior: no fixture named ${bin}`);
  const [x, y, z] = f.pos;
  const r = Number(f.tags?.inner ?? BIN_INNER);
  return { min: [x - r, y - r, z - 0.01], max: [x + r, y + r, z + BIN_WALL_H + 0.09] };
}

export function binNames(scene: SceneDescription): string[] {
  return scene.fixtures.filter((f) => f.tags?.kind === 'bin').map((f) => f.name);
}

export function inBox(p: Vec3, box: { min: Vec3; max: Vec3 }): boolean {
  return (
    p[0] >= box.min[0] &&
    p[0] <= box.max[0] &&
    p[1] >= box.min[1] &&
    p[1] <= box.max[1] &&
    p[2] >= box.min[2] &&
    p[2] <= box.max[2]
  );
}

/** Which bin (if any) an object's centre is in. */
export function binOf(world: SimWorld, object: string): string | null {
  const p = world.objectPose(object).pos;
  for (const b of binNames(world.scene)) if (inBox(p, binInterior(world.scene, b))) return b;
  return null;
}

/** Whether a gripper (either arm of a two-armed body) holds the object. */
export function isHeld(world: SimWorld, object: string): boolean {
  const body = `obj_${object}`;
  const arms: Array<'left' | 'right' | undefined> =
    world.eeSites.length > 1 ? ['left', 'right'] : [undefined];
  return arms.some((a) => world.graspedBodies(a).includes(body));
}

/** Checks one goal; returns null when met, else the reason. */
export function checkGoal(world: SimWorld, g: Goal): UnmetReason | null {
  const p = world.objectPose(g.object).pos;
  if (p[2] < 0.05 && g.dest.kind !== 'zone') return 'object_on_floor';
  switch (g.dest.kind) {
    case 'bin': {
      const b = binOf(world, g.object);
      if (b === null) return 'not_in_bin';
      if (b !== g.dest.bin) return 'wrong_bin';
      break;
    }
    case 'on': {
      const below = g.dest.object;
      const under = world.objectPose(below).pos;
      const o = world.scene.objects.find((x) => x.name === below);
      const me = world.scene.objects.find((x) => x.name === g.object);
      const dz = (o ? restingHalfHeight(o.shape) : 0.02) + (me ? restingHalfHeight(me.shape) : 0.02);
      if (Math.hypot(p[0] - under[0], p[1] - under[1]) > 0.03 || Math.abs(p[2] - under[2] - dz) > 0.015)
        return 'not_stacked';
      break;
    }
    case 'zone': {
      if (Math.hypot(p[0] - g.dest.pos[0], p[1] - g.dest.pos[1]) > g.dest.radius) return 'not_on_target';
      break;
    }
    case 'aside': {
      if (p[2] < 0.05) return 'object_on_floor';
      if (binOf(world, g.object) !== null)
        return g.object.startsWith('phone') ? 'phone_not_moved' : 'extra_in_bin';
      break;
    }
  }
  if (isHeld(world, g.object)) return 'still_held';
  const v = world.objectVelocity(g.object).lin;
  if (Math.hypot(v[0], v[1], v[2]) > 0.12) return 'moving';
  return null;
}

/** Names of the `goalFocus` vector's entries (LeRobot `observation.environment_state`). */
export const GOAL_FOCUS_NAMES = ['object_x', 'object_y', 'object_z', 'dest_x', 'dest_y', 'dest_z'];

/**
 * Where the task's attention is now, as privileged labels: the world position of the first unmet
 * goal's object (the last goal's once all are met) and of its destination (a bin's floor centre,
 * the object to stack on, a zone's centre; for "aside" the object itself). Undefined for tasks
 * without goals. Datasets store it as `observation.environment_state`; training can predict it
 * from the cameras and the instruction as an auxiliary task.
 */
export function goalFocus(world: SimWorld, goals: readonly Goal[]): number[] | undefined {
  if (goals.length === 0) return undefined;
  const g = goals.find((x) => checkGoal(world, x) !== null) ?? goals[goals.length - 1];
  const p = world.objectPose(g.object).pos;
  let d: Vec3;
  switch (g.dest.kind) {
    case 'bin': {
      const f = world.scene.fixtures.find((x) => x.name === (g.dest as { bin: string }).bin);
      if (!f) throw new Error(`goalFocus: no fixture named ${g.dest.bin}`);
      d = f.pos;
      break;
    }
    case 'on':
      d = world.objectPose(g.dest.object).pos;
      break;
    case 'zone':
      d = g.dest.pos;
      break;
    case 'aside':
      d = p;
      break;
  }
  return [p[0], p[1], p[2], d[0], d[1], d[2]];
}

/** The standard detector: every goal met → success; something on the floor → failure (done). */
export function evaluateGoals(world: SimWorld, goals: Goal[], mustStay: string[] = []): TaskEvaluation {
  let met = 0;
  let unmet: UnmetReason | null = null;
  for (const g of goals) {
    const r = checkGoal(world, g);
    if (r === null) met++;
    else unmet ??= r;
  }
  for (const name of mustStay) {
    if (world.objectPose(name).pos[2] < 0.05)
      return { success: false, reward: 0, failure: 'object_on_floor', done: true };
  }
  if (unmet === 'object_on_floor')
    return { success: false, reward: 0, failure: 'object_on_floor', done: true };
  const success = unmet === null;
  return {
    success,
    reward: success ? 1 : met / Math.max(1, goals.length) / 10,
    info: { unmet, goalsMet: met, goals: goals.length },
  };
}
