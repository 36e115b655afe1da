import { RobofmError } from '@robofm/core';
import type { Vec3 } from '../scene.ts';
import { checkGoal } from '../tasks/goals.ts';
import { workspaceFor } from '../tasks/workspace.ts';
import { placeGoals } from './scripted-expert.ts';
import {
  type Skill,
  type SkillCtx,
  carryAndRelease,
  driveTo,
  gripAt,
  halfHeight,
  hold,
  isHeldBy,
  moveArm,
  pick,
  releasePoint,
  sec,
} from './skills.ts';

/** The expert's top-level skill for a task (by the task name in its state). */
export function taskSkill(x: SkillCtx): Skill<void> {
  switch (x.state.task) {
    case 'pick_place':
    case 'stack':
    case 'clear_table':
      return placeGoals(x, (obj) => nearestArm(x, obj));
    case 'handover':
      return handoverSkill(x);
    case 'button':
      return buttonSkill(x);
    case 'push':
      return pushSkill(x);
    case 'drawer':
      return drawerSkill(x);
    case 'fetch':
      return fetchSkill(x);
    default:
      throw new RobofmError('expert_missing', `no scripted expert for task '${x.state.task}'`);
  }
}

/** The arm whose end effector is closest to the object (one-armed bodies: arm 0). */
export function nearestArm(x: SkillCtx, object: string): number {
  const n = x.motion.cfg.arms.length;
  // One-armed bodies, and the humanoid (works with its right arm, torso turning to reach).
  if (n === 1 || x.world.embodiment.name === 'humanoid') return 0;
  const p = x.world.objectPose(object).pos;
  let best = 0;
  let bd = Number.POSITIVE_INFINITY;
  for (let a = 0; a < n; a++) {
    const e = x.motion.ee(a);
    const d = Math.hypot(p[0] - e[0], p[1] - e[1]);
    if (d < bd) {
      bd = d;
      best = a;
    }
  }
  return best;
}

/** Bimanual handover: left picks, both meet over the middle, right takes it and places it. */
export function* handoverSkill(x: SkillCtx): Skill<void> {
  const L = 0;
  const R = 1;
  const g = x.state.goals[0];
  const name = g.object;
  const words = g.objectWords;
  const table = x.state.tableHeight;
  const h = halfHeight(x, name);
  const axis = (): [number, number] => {
    const m = x.world.objectPose(name).mat;
    return [m[0], m[3]];
  };
  const barYaw = () => {
    const [ax, ay] = axis();
    return Math.atan2(ay, ax);
  };
  for (let attempt = 0; attempt < 4; attempt++) {
    const unmet = checkGoal(x.world, g);
    if (unmet === null || unmet === 'object_on_floor') return;
    // Right arm out of the way, up and to the right, before the bar comes over.
    yield* moveArm(x, R, [0.22, 0, table + 0.33], Math.PI, 1, 'raise the right arm', {
      tol: 0.03,
      speed: 0.4,
      maxSec: 3,
    });
    const yawL = barYaw();
    if (!(yield* pick(x, L, name, words, { yaw: yawL, along: -0.042 }))) {
      yield* gripAt(x, L, x.motion.ee(L), yawL, 1, `reach for the ${words}`, 0.3);
      continue;
    }
    // Bring it over the middle of the table, bar along x.
    const hy = x.world.objectPose(name).pos[1] * 0.5;
    const meet: Vec3 = [0, hy, table + 0.2];
    const leftAt = (): Vec3 => {
      const [ax, ay] = axis();
      return [meet[0] - 0.042 * ax, meet[1] - 0.042 * ay, meet[2] - graspOffsetZ(h)];
    };
    yield* moveArm(x, L, leftAt, yawL, 0, `hand the ${words} to the right arm`, { tol: 0.015, speed: 0.3 });
    yield* hold(x, L, sec(x, 0.3), `hand the ${words} to the right arm`);
    if (!isHeldBy(x, L, name)) continue;
    const yawR = barYaw() + Math.PI;
    const rightAt = (dz: number) => (): Vec3 => {
      const p = x.world.objectPose(name).pos;
      const [ax, ay] = axis();
      return [p[0] + 0.045 * ax, p[1] + 0.045 * ay, p[2] - graspOffsetZ(h) + dz];
    };
    if (
      !(yield* moveArm(x, R, rightAt(0.1), yawR, 1, `take the ${words} with the right arm`, {
        tol: 0.02,
        speed: 0.35,
      }))
    )
      continue;
    yield* moveArm(x, R, rightAt(0), yawR, 1, `take the ${words} with the right arm`, {
      tol: 0.008,
      speed: 0.12,
      maxSec: 4,
    });
    yield* gripAt(x, R, rightAt(0)(), yawR, 0, `take the ${words} with the right arm`);
    yield* gripAt(x, L, x.motion.ee(L), yawL, 1, 'release with the left arm', 0.4);
    const e = x.motion.ee(L);
    yield* moveArm(x, L, [e[0] - 0.12, e[1], e[2] + 0.04], yawL, 1, 'move the left arm away', {
      tol: 0.03,
      maxSec: 2,
    });
    if (!isHeldBy(x, R, name)) continue;
    const rel = releasePoint(x, name, g.dest, 0, R);
    const ok = yield* carryAndRelease(
      x,
      R,
      name,
      words,
      rel,
      `move to the ${g.destWords}`,
      `release the ${words}`,
    );
    if (ok) yield* hold(x, R, sec(x, 0.3), `release the ${words}`);
  }
}

function graspOffsetZ(h: number): number {
  return Math.max(0, Math.min(0.014, h - 0.006));
}

/** Press a button: above it with the gripper closed, straight down past the press depth, back up. */
export function* buttonSkill(x: SkillCtx): Skill<void> {
  const target = x.state.extra.target as string;
  const words = x.state.extra.targetWords as string;
  const capTop = x.state.extra.capTop as number;
  const arm = x.motion.cfg.arms[0];
  const f = x.world.scene.fixtures.find((q) => q.name === target)!;
  const yaw = x.motion.eeYaw(0);
  // Fingertips (or the lower jaw tip, below the site on one-jaw grippers) reach 11 mm into the cap.
  const tipBelow = arm.minAboveSurface - 0.004;
  const pressZ = capTop - 0.011 + tipBelow;
  for (let attempt = 0; attempt < 3; attempt++) {
    yield* moveArm(x, 0, [f.pos[0], f.pos[1], capTop + 0.08 + tipBelow], yaw, 0, `move above the ${words}`, {
      tol: 0.012,
      speed: 0.35,
    });
    yield* moveArm(x, 0, [f.pos[0], f.pos[1], pressZ], yaw, 0, `press the ${words}`, {
      tol: 0.004,
      speed: 0.1,
      maxSec: 3,
    });
    yield* hold(x, 0, sec(x, 0.3), `press the ${words}`);
    yield* moveArm(x, 0, [f.pos[0], f.pos[1], capTop + 0.08 + tipBelow], yaw, 0, 'move up', { tol: 0.02 });
  }
}

/** Push along the line object → target with the closed gripper, re-aligning when it drifts. */
export function* pushSkill(x: SkillCtx): Skill<void> {
  const g = x.state.goals[0];
  if (g.dest.kind !== 'zone') return;
  const zone = g.dest.pos;
  const name = g.object;
  const words = g.objectWords;
  const table = x.state.tableHeight;
  const r = Math.max(0.02, halfWidth(x, name));
  const lowZ = table + 0.012;
  for (let attempt = 0; attempt < 5; attempt++) {
    const p = x.world.objectPose(name).pos;
    const dx = zone[0] - p[0];
    const dy = zone[1] - p[1];
    const dist = Math.hypot(dx, dy);
    if (dist < g.dest.radius * 0.5) break;
    const ux = dx / dist;
    const uy = dy / dist;
    const yaw = Math.atan2(uy, ux);
    const behind: Vec3 = [p[0] - ux * (r + 0.035), p[1] - uy * (r + 0.035), lowZ];
    yield* moveArm(x, 0, [behind[0], behind[1], table + 0.1], yaw, 0, `move behind the ${words}`, {
      tol: 0.015,
      speed: 0.35,
    });
    yield* moveArm(x, 0, behind, yaw, 0, `move behind the ${words}`, { tol: 0.008, speed: 0.15, maxSec: 3 });
    // Push until the object centre reaches the target centre (closed loop on the object).
    const max = sec(x, 6);
    for (let i = 0; i < max; i++) {
      const q = x.world.objectPose(name).pos;
      const rem = Math.hypot(zone[0] - q[0], zone[1] - q[1]);
      const off = Math.abs((q[0] - p[0]) * uy - (q[1] - p[1]) * ux);
      if (rem < 0.008 || off > 0.02) break;
      const goal: Vec3 = [q[0] - ux * (r + 0.012) + ux * 0.02, q[1] - uy * (r + 0.012) + uy * 0.02, lowZ];
      yield {
        arms: [{ pos: goal, yaw, grip: 0, speed: 0.08 * x.speedScale }],
        label: `push the ${words} onto the ${g.destWords}`,
      };
    }
    const e = x.motion.ee(0);
    yield* moveArm(x, 0, [e[0] - ux * 0.03, e[1] - uy * 0.03, table + 0.1], yaw, 0, 'move up', {
      tol: 0.02,
      maxSec: 2,
    });
  }
}

function halfWidth(x: SkillCtx, name: string): number {
  const o = x.world.scene.objects.find((q) => q.name === name);
  if (!o) return 0.025;
  if (o.shape.type === 'box') return Math.hypot(o.shape.halfSize[0], o.shape.halfSize[1]);
  return o.shape.radius;
}

/** Open or close a drawer: grasp the handle bar, slide it along the drawer's axis, let go. */
export function* drawerSkill(x: SkillCtx): Skill<void> {
  const open = Boolean(x.state.extra.open);
  const handle = () => x.world.sitePose('fix_drawer_handle').pos;
  // Fingers close across the bar (along world x).
  const cur = x.motion.eeYaw(0);
  const yaw =
    Math.abs(Math.atan2(Math.sin(cur - Math.PI / 2), Math.cos(cur - Math.PI / 2))) < Math.PI / 2
      ? Math.PI / 2
      : -Math.PI / 2;
  const grip = 0.45;
  const label = open ? 'open the drawer' : 'close the drawer';
  for (let attempt = 0; attempt < 3; attempt++) {
    const h = handle();
    yield* moveArm(x, 0, [h[0], h[1], h[2] + 0.1], yaw, grip, 'reach for the drawer handle', {
      tol: 0.012,
      speed: 0.35,
    });
    yield* moveArm(
      x,
      0,
      () => {
        const p = handle();
        return [p[0], p[1], p[2] - 0.01];
      },
      yaw,
      grip,
      'reach for the drawer handle',
      { tol: 0.006, speed: 0.12, maxSec: 3 },
    );
    const at = handle();
    yield* gripAt(x, 0, [at[0], at[1], at[2] - 0.01], yaw, 0, 'grasp the drawer handle', 0.4);
    const goalX = open ? at[0] - 0.115 : at[0] + 0.125;
    yield* moveArm(x, 0, [goalX, at[1], at[2] - 0.01], yaw, 0, label, { tol: 0.006, speed: 0.1, maxSec: 4 });
    const e = x.motion.ee(0);
    yield* gripAt(x, 0, e, yaw, grip, 'release the drawer handle', 0.35);
    yield* moveArm(x, 0, [e[0], e[1], e[2] + 0.1], yaw, grip, 'move up', { tol: 0.02, maxSec: 2 });
    const q = x.world.fixtureJoint('drawer');
    if (open ? q > 0.095 : q < -0.105) return;
  }
}

/** Mobile fetch: drive to the far counter, pick, drive back to the table, place in the bin. */
export function* fetchSkill(x: SkillCtx): Skill<void> {
  const g = x.state.goals[0];
  const words = g.objectWords;
  const farPark = x.state.extra.fetchPark as [number, number, number];
  const park = workspaceFor('mobile').park!;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (checkGoal(x.world, g) === null) return;
    if (!isHeldBy(x, 0, g.object)) {
      yield* driveTo(x, farPark, 'drive to the far counter', 20);
      if (!(yield* pick(x, 0, g.object, words))) {
        yield* gripAt(x, 0, x.motion.ee(0), x.motion.eeYaw(0), 1, `reach for the ${words}`, 0.3);
        continue;
      }
    }
    yield* driveTo(x, [park[0], 0, park[2]], `bring the ${words} to the table`, 20);
    if (!isHeldBy(x, 0, g.object)) continue;
    const rel = releasePoint(x, g.object, g.dest, 0, 0);
    if (
      yield* carryAndRelease(x, 0, g.object, words, rel, `move to the ${g.destWords}`, `release the ${words}`)
    )
      yield* hold(x, 0, sec(x, 0.3), `release the ${words}`);
  }
}
