import type { Rng } from '../rng.ts';
import type { Vec3 } from '../scene.ts';
import type { SimWorld } from '../task.ts';
import { BIN_WALL_H } from '../tasks/scene-kit.ts';
import { binOf } from '../tasks/goals.ts';
import { inRegion, workspaceFor } from '../tasks/workspace.ts';
import type { SuiteState } from '../tasks/suite-state.ts';
import { restingHalfHeight } from '../tasks/vocab.ts';
import type { ArmCommand, Command, MotionController } from './motion.ts';

export type Quality = 'expert' | 'noisy' | 'failing';

/** Everything a skill reads: the world (privileged), the task's plan, the motion controller. */
export interface SkillCtx {
  world: SimWorld;
  state: SuiteState;
  motion: MotionController;
  rng: Rng;
  quality: Quality;
  /** Failure mode for the `failing` tier. */
  failMode?: 'wrong_object' | 'drop' | 'timeout';
  /** Speed multiplier (the failing tier's 'timeout' mode crawls). */
  speedScale: number;
}

/** A skill yields one Command per control step and returns its outcome. */
export type Skill<R = boolean> = Generator<Command, R, void>;

export const sec = (x: SkillCtx, s: number) => Math.max(1, Math.round(s * x.world.embodiment.controlHz));

function armCmds(x: SkillCtx, a: number, c: ArmCommand): Array<ArmCommand | null> {
  return x.motion.cfg.arms.map((_, i) => (i === a ? c : null));
}

/** Moves arm `a` to `pos` (or a moving target from `track`). Returns true when within `tol`. */
export function* moveArm(
  x: SkillCtx,
  a: number,
  pos: Vec3 | (() => Vec3),
  yaw: number,
  grip: number,
  label: string,
  opts: { tol?: number; maxSec?: number; speed?: number } = {},
): Skill {
  const tol = opts.tol ?? 0.012;
  const max = sec(x, opts.maxSec ?? 6);
  if (x.quality === 'noisy' && x.rng.next() < 0.15) yield* hold(x, a, sec(x, x.rng.uniform(0.2, 0.8)), label);
  for (let i = 0; i < max; i++) {
    const goal = typeof pos === 'function' ? pos() : pos;
    const e = x.motion.ee(a);
    if (Math.hypot(goal[0] - e[0], goal[1] - e[1], goal[2] - e[2]) < tol) return true;
    yield { arms: armCmds(x, a, { pos: goal, yaw, grip, speed: (opts.speed ?? 0.3) * x.speedScale }), label };
  }
  return false;
}

/** Keeps arm `a` where it was last told for `steps` control steps (null command = hold). */
export function* hold(x: SkillCtx, a: number, steps: number, label: string, grip?: number): Skill<void> {
  for (let i = 0; i < steps; i++) {
    if (grip === undefined) yield { arms: x.motion.cfg.arms.map(() => null), label };
    else {
      const e = x.motion.ee(a);
      yield { arms: armCmds(x, a, { pos: e, yaw: x.motion.eeYaw(a), grip }), label };
    }
  }
}

/** Gripper state change in place: open/close arm `a` while keeping the hand at `pos`. */
export function* gripAt(
  x: SkillCtx,
  a: number,
  pos: Vec3,
  yaw: number,
  grip: number,
  label: string,
  s = 0.45,
): Skill<void> {
  for (let i = 0; i < sec(x, s); i++) yield { arms: armCmds(x, a, { pos, yaw, grip }), label };
}

export function halfHeight(x: SkillCtx, name: string): number {
  const o = x.world.scene.objects.find((o) => o.name === name);
  return o ? restingHalfHeight(o.shape) : 0.025;
}

/** How far below an object's centre the fingertip site goes when grasping it. */
export function graspDepth(h: number): number {
  return Math.max(0, Math.min(0.014, h - 0.006));
}

/** The site yaw that closes the fingers across the object's narrow side, nearest to `prefer`. */
export function graspYaw(x: SkillCtx, name: string, prefer: number, avoidDir?: number): number {
  const o = x.world.scene.objects.find((o) => o.name === name);
  const m = x.world.objectPose(name).mat;
  const objYaw = Math.atan2(m[3], m[0]);
  let cands: number[];
  if (o?.shape.type === 'box') {
    const [hx, hy] = o.shape.halfSize;
    if (Math.abs(hx - hy) < 0.004) cands = [objYaw, objYaw + Math.PI / 2];
    else cands = [hx < hy ? objYaw - Math.PI / 2 : objYaw];
  } else cands = [prefer];
  if (avoidDir !== undefined) {
    // Fingers (site y) should close perpendicular to the neighbour direction.
    if (o?.shape.type !== 'box') cands = [avoidDir];
    const score = (c: number) => Math.abs(Math.cos(c + Math.PI / 2 - avoidDir));
    cands.sort((p, q) => score(p) - score(q));
    cands = [cands[0]];
  }
  let best = cands[0];
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of cands)
    for (const k of [-2, -1, 0, 1, 2]) {
      const y = c + k * Math.PI;
      const d = Math.abs(y - prefer);
      if (d < bestD) {
        bestD = d;
        best = y;
      }
    }
  return best;
}

/** Height of the object centre above the site while grasped (the site sits this far below it). */
export function graspDz(x: SkillCtx, a: number, name: string): number {
  const h = halfHeight(x, name);
  return Math.min(graspDepth(h), h - x.motion.cfg.arms[a].minAboveSurface);
}

/** Site position that puts object `name` (centre `c`) in the grasp (offset for one-jaw grippers). */
export function siteFor(x: SkillCtx, a: number, c: Vec3, yaw: number, name?: string): Vec3 {
  const arm = x.motion.cfg.arms[a];
  let off = arm.graspOffset;
  if (arm.fixedJaw !== undefined && name) {
    const o = x.world.scene.objects.find((q) => q.name === name);
    const siteYaw = x.motion.eeYaw(a);
    let hw = 0.02;
    if (o?.shape.type === 'box') {
      const m = x.world.objectPose(name).mat;
      const phi = Math.atan2(m[3], m[0]) - siteYaw;
      hw = Math.abs(o.shape.halfSize[0] * Math.sin(phi)) + Math.abs(o.shape.halfSize[1] * Math.cos(phi));
    } else if (o) hw = o.shape.type === 'sphere' ? o.shape.radius : o.shape.radius;
    off = [0, arm.fixedJaw + hw + 0.003, 0];
    yaw = siteYaw;
  }
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  return [c[0] - (cy * off[0] - sy * off[1]), c[1] - (sy * off[0] + cy * off[1]), c[2] - off[2]];
}

export function isHeldBy(x: SkillCtx, a: number, name: string): boolean {
  const p = x.world.objectPose(name).pos;
  const e = x.motion.ee(a);
  const near = Math.hypot(p[0] - e[0], p[1] - e[1], p[2] - e[2]) < 0.07;
  if (!near) return false;
  const side = x.motion.cfg.arms[a].side;
  // Touching both fingers, or up in the air right at the hand (contacts flicker while carrying).
  const lifted = p[2] > x.state.tableHeight + halfHeight(x, name) + 0.025;
  return lifted || x.world.graspedBodies(side).includes(`obj_${name}`);
}

const SAFE = 0.16; // carry height above the table top (m)

/**
 * Picks `name` with arm `a`: above → down (tracking the object) → close → lift. Returns true when
 * the object is held after lift-off.
 */
export function* pick(
  x: SkillCtx,
  a: number,
  name: string,
  words: string,
  opts: { avoidDir?: number; yaw?: number; along?: number; label?: string } = {},
): Skill {
  const table = x.state.tableHeight;
  // A toppled object is lower than its upright half height: grasp it where it is.
  const h = Math.max(0.006, Math.min(halfHeight(x, name), x.world.objectPose(name).pos[2] - table));
  const base = x.world.embodiment.name;
  const prefer = naturalYaw(x, a, x.world.objectPose(name).pos, base);
  const yaw = opts.yaw ?? graspYaw(x, name, prefer, opts.avoidDir);
  const grasped = (): Vec3 => {
    const pose = x.world.objectPose(name);
    const k = opts.along ?? 0;
    return [pose.pos[0] + pose.mat[0] * k, pose.pos[1] + pose.mat[3] * k, pose.pos[2]];
  };
  const above = (): Vec3 => {
    const c = grasped();
    const s = siteFor(x, a, c, yaw, name);
    return [s[0], s[1], Math.max(c[2] + h + 0.09, table + 0.13)];
  };
  if (!(yield* moveArm(x, a, above, yaw, 1, `reach for the ${words}`, { tol: 0.02, speed: 0.35 })))
    return false;
  const down = (): Vec3 => {
    const c = grasped();
    const s = siteFor(x, a, c, yaw, name);
    return [
      s[0],
      s[1],
      c[2] - Math.min(graspDz(x, a, name), Math.max(0, h - x.motion.cfg.arms[a].minAboveSurface)),
    ];
  };
  const ok = yield* moveArm(x, a, down, yaw, 1, `reach for the ${words}`, {
    tol: 0.008,
    speed: 0.15,
    maxSec: 4,
  });
  const d = down();
  const e = x.motion.ee(a);
  if (!ok || Math.hypot(d[0] - e[0], d[1] - e[1]) > 0.012) {
    // The object moved (nudged) or the hand is off: back up and try again.
    yield* moveArm(x, a, [e[0], e[1], e[2] + 0.06], yaw, 1, `reach for the ${words}`, { tol: 0.02 });
    return false;
  }
  yield* gripAt(x, a, d, yaw, 0, opts.label ?? `grasp the ${words}`);
  if (x.quality === 'noisy' && x.rng.next() < 0.25) {
    yield* gripAt(x, a, d, yaw, 1, `re-grasp the ${words}`, 0.3);
    yield* gripAt(x, a, d, yaw, 0, `re-grasp the ${words}`);
  }
  const up: Vec3 = [d[0], d[1], Math.max(d[2] + 0.1, table + SAFE - 0.03)];
  yield* moveArm(x, a, up, yaw, 0, `pick up the ${words}`, { tol: 0.02, speed: 0.2, maxSec: 3 });
  return isHeldBy(x, a, name);
}

/** Natural grasp yaw for a position: radial from a fixed arm's base, else the hand's current yaw. */
export function naturalYaw(x: SkillCtx, a: number, p: Vec3, body: string): number {
  if (body !== 'arm6' && body !== 'arm4') return x.motion.eeYaw(a);
  const base = x.world.scene.robotBase?.pos ?? [0, 0, 0];
  return Math.atan2(p[1] - base[1], p[0] - base[0]);
}

/**
 * Carries the held object to above `release` and lets go there. Returns false when the object
 * dropped on the way (slip) so the caller can re-grasp.
 */
export function* carryAndRelease(
  x: SkillCtx,
  a: number,
  name: string,
  _words: string,
  release: Vec3,
  moveLabel: string,
  releaseLabel: string,
): Skill {
  const table = x.state.tableHeight;
  const yaw = x.motion.eeYaw(a);
  const carryZ = Math.max(release[2] + 0.06, table + SAFE);
  const stages: Array<[Vec3, number, string, number]> = [
    [[release[0], release[1], carryZ], 0.25, moveLabel, 0.02],
    [release, 0.15, moveLabel, 0.012],
  ];
  const start = x.motion.ee(a);
  const total = Math.hypot(release[0] - start[0], release[1] - start[1]);
  for (const [goal, speed, label, tol] of stages) {
    const max = sec(x, 6);
    for (let i = 0; i < max; i++) {
      if (!isHeldBy(x, a, name)) return false;
      const e = x.motion.ee(a);
      if (Math.hypot(goal[0] - e[0], goal[1] - e[1], goal[2] - e[2]) < tol) break;
      if (x.failMode === 'drop' && Math.hypot(e[0] - start[0], e[1] - start[1]) > 0.4 * total) {
        // failing tier: lets go half way and gives up
        yield* gripAt(x, a, e, yaw, 1, releaseLabel);
        return true;
      }
      yield {
        arms: x.motion.cfg.arms.map((_, k) =>
          k === a ? { pos: goal, yaw, grip: 0, speed: speed * x.speedScale } : null,
        ),
        label,
      };
    }
  }
  yield* gripAt(x, a, release, yaw, 1, releaseLabel, 0.35);
  const e = x.motion.ee(a);
  yield* moveArm(x, a, [e[0], e[1], Math.max(e[2] + 0.08, table + SAFE - 0.04)], yaw, 1, 'move up', {
    tol: 0.02,
    maxSec: 2,
  });
  return true;
}

/** Where to open the gripper for each kind of destination (site position). */
export function releasePoint(
  x: SkillCtx,
  name: string,
  dest: SuiteState['goals'][number]['dest'],
  asideIndex: number,
  a = 0,
): Vec3 {
  const p = releaseCentre(x, name, dest, asideIndex, a);
  // The object may sit off-centre in the hand: shift by the actual hand-to-object offset.
  const e = x.motion.ee(a);
  const o = x.world.objectPose(name).pos;
  if (Math.hypot(e[0] - o[0], e[1] - o[1]) < 0.05) return [p[0] + e[0] - o[0], p[1] + e[1] - o[1], p[2]];
  return p;
}

function releaseCentre(
  x: SkillCtx,
  name: string,
  dest: SuiteState['goals'][number]['dest'],
  asideIndex: number,
  a: number,
): Vec3 {
  const table = x.state.tableHeight;
  const h = halfHeight(x, name);
  const dd = graspDz(x, a, name);
  switch (dest.kind) {
    case 'bin': {
      const f = x.world.scene.fixtures.find((f) => f.name === dest.bin)!;
      // Spread several objects over the bin's quadrants instead of piling them up.
      const inBin = x.world.scene.objects.filter(
        (o) => o.name !== name && binOf(x.world, o.name) === dest.bin,
      ).length;
      const k = Number(f.tags?.inner ?? 0.075) * 0.45;
      const q =
        inBin === 0
          ? [0, 0]
          : [
              [k, k],
              [-k, -k],
              [k, -k],
              [-k, k],
            ][(inBin - 1) % 4];
      return [f.pos[0] + q[0], f.pos[1] + q[1], f.pos[2] + BIN_WALL_H + 0.02 + h - dd];
    }
    case 'on': {
      const u = x.world.objectPose(dest.object).pos;
      return [u[0], u[1], u[2] + halfHeight(x, dest.object) + 0.008 + h - dd];
    }
    case 'zone':
      return [dest.pos[0], dest.pos[1], table + 0.004 + h - dd];
    case 'aside': {
      const s =
        x.state.asideSpots[asideIndex % Math.max(1, x.state.asideSpots.length)] ?? freeSpotNear(x, name);
      return [s[0], s[1], table + 0.006 + h - dd];
    }
  }
}

/** Drives a mobile base to (x, y, yaw) in base-joint coordinates (arm held). Returns when there. */
export function* driveTo(x: SkillCtx, goal: [number, number, number], label: string, maxSec = 12): Skill {
  const idx = x.motion.cfg.base;
  if (idx.length !== 3) return true;
  for (let i = 0; i < sec(x, maxSec); i++) {
    const q = x.world.jointPositions();
    const dyaw = Math.atan2(Math.sin(goal[2] - q[idx[2]]), Math.cos(goal[2] - q[idx[2]]));
    if (Math.hypot(goal[0] - q[idx[0]], goal[1] - q[idx[1]]) < 0.015 && Math.abs(dyaw) < 0.03) {
      yield* hold(x, 0, sec(x, 0.3), label);
      return true;
    }
    yield { arms: x.motion.cfg.arms.map(() => null), base: goal, label };
  }
  return false;
}

/** A clear table spot 10–14 cm from where `name` was picked (no reserved spot in crowded scenes). */
function freeSpotNear(x: SkillCtx, name: string): [number, number] {
  const dup = x.state.duplicate;
  const from = dup && dup.copy === name ? x.world.objectPose(dup.of).pos : x.motion.ee(0);
  const bins = x.world.scene.fixtures.filter((f) => f.tags?.kind === 'bin');
  let best: [number, number] = [from[0], from[1]];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const d of [0.1, 0.13])
    for (let k = 0; k < 16; k++) {
      const a = (k / 16) * 2 * Math.PI;
      const p: [number, number] = [from[0] + d * Math.cos(a), from[1] + d * Math.sin(a)];
      let clear = Number.POSITIVE_INFINITY;
      for (const o of x.world.scene.objects) {
        if (o.name === name) continue;
        const q = x.world.objectPose(o.name).pos;
        clear = Math.min(clear, Math.hypot(q[0] - p[0], q[1] - p[1]) - 0.035);
      }
      for (const b of bins)
        clear = Math.min(
          clear,
          Math.hypot(b.pos[0] - p[0], b.pos[1] - p[1]) - Number(b.tags?.inner ?? 0.075) - 0.05,
        );
      // Prefer clear spots, then spots nearer the body (inside the reach).
      const base = x.world.scene.robotBase?.pos ?? [0, 0, 0];
      const reach = workspaceFor(x.world.embodiment.name).reach;
      const score =
        Math.min(clear, 0.06) -
        0.02 * Math.hypot(p[0] - base[0], p[1] - base[1]) -
        (inRegion(reach, p[0], p[1], 0.02) ? 0 : 1);
      if (score > bestScore) {
        bestScore = score;
        best = p;
      }
    }
  return best;
}
