import type { ActionChunk, Observation, Policy, PolicyMetadata } from '@robofm/core';
import { policyEmbodimentInfo } from '@robofm/core';
import { makeRng } from '../rng.ts';
import type { SimWorld } from '../task.ts';
import { checkGoal } from '../tasks/goals.ts';
import { workspaceFor } from '../tasks/workspace.ts';
import type { SuiteState } from '../tasks/suite-state.ts';
import { MotionController } from './motion.ts';
import {
  type Quality,
  type Skill,
  type SkillCtx,
  carryAndRelease,
  driveTo,
  gripAt,
  hold,
  isHeldBy,
  moveArm,
  pick,
  releasePoint,
  sec,
} from './skills.ts';
import { taskSkill } from './task-skills.ts';

export const QUALITIES = ['expert', 'noisy', 'failing'] as const;
export type { Quality };

export interface ExpertStep {
  /** Absolute joint targets, `spec.actionNames` order. */
  action: Float32Array;
  /** The current subtask in words. */
  subtask: string;
  /** The plan has run out (the expert now holds still). */
  done: boolean;
}

/**
 * A scripted expert for one episode: reads the task's plan (`SuiteState`) and the privileged
 * world, runs motion phases (each with a subtask label), and turns them into joint targets with
 * damped-least-squares IK. Quality tiers: `expert` (clean), `noisy` (action noise, hesitation,
 * re-grasps), `failing` (wrong object, drops, timeouts) — the outcome is left to the detector.
 */
export class ScriptedExpert {
  readonly motion: MotionController;
  private readonly ctx: SkillCtx;
  private readonly plan: Skill<void>;
  private finished = false;
  private last: { label: string } = { label: 'start' };
  private readonly noiseRng;

  constructor(
    readonly world: SimWorld,
    readonly state: SuiteState,
    readonly quality: Quality = 'expert',
    seed = state.sceneSeed,
  ) {
    this.motion = new MotionController(world);
    const rng = makeRng((seed * 7919 + 0x5eed) >>> 0);
    this.noiseRng = rng.fork();
    const failModes = ['wrong_object', 'drop', 'timeout'] as const;
    const failMode = quality === 'failing' ? rng.choice(failModes) : undefined;
    this.ctx = {
      world,
      state,
      motion: this.motion,
      rng,
      quality,
      failMode,
      speedScale: failMode === 'timeout' ? 0.12 : 1,
    };
    this.plan = taskSkill(this.ctx);
  }

  act(): ExpertStep {
    let cmd = this.last as ReturnType<Skill<void>['next']>['value'];
    if (!this.finished) {
      const r = this.plan.next();
      if (r.done) this.finished = true;
      else cmd = r.value;
    }
    const command =
      this.finished || !cmd || typeof cmd !== 'object' || !('arms' in cmd)
        ? { arms: this.motion.cfg.arms.map(() => null), label: 'done' }
        : cmd;
    this.last = command;
    const action = this.motion.step(command);
    if (this.quality === 'noisy') {
      for (let j = 0; j < action.length; j++) {
        if (this.motion.cfg.arms.some((a) => a.gripper === j)) continue;
        const js = this.world.embodiment.joints[j];
        action[j] = Math.max(js.lower, Math.min(js.upper, action[j] + this.noiseRng.normal() * 0.01));
      }
    }
    return { action, subtask: command.label, done: this.finished };
  }
}

/** Pick-and-place over the plan's goals, with retries for nudges, slips and stuck duplicates. */
export function* placeGoals(x: SkillCtx, chooseArm: (object: string) => number = () => 0): Skill<void> {
  const { state, world } = x;
  let goals = state.goals;
  if (x.failMode === 'wrong_object') {
    const targets = new Set(goals.map((g) => g.object));
    const others = world.scene.objects.filter((o) => !targets.has(o.name) && o.name !== 'phone');
    if (others.length) {
      const o = x.rng.choice(others);
      goals = goals.map((g) =>
        g.dest.kind === 'aside'
          ? g
          : { ...g, object: o.name, objectWords: `${o.tags?.color ?? ''} ${o.tags?.kind ?? 'object'}` },
      );
    } else x.failMode = 'drop';
  }
  let aside = 0;
  const park = x.motion.cfg.base.length === 3 ? workspaceFor(world.embodiment.name).park : undefined;
  if (park) {
    // Mobile: drive up to the table first, lined up with the first object.
    const y0 = world.objectPose(goals[0].object).pos[1];
    yield* driveTo(x, [park[0], Math.max(-0.25, Math.min(0.25, y0 * 0.5)), park[2]], 'drive to the table');
  }
  for (const g of goals) {
    for (let attempt = 0; attempt < 6; attempt++) {
      const unmet = checkGoal(world, g);
      if (unmet === null || unmet === 'object_on_floor') break;
      const a = chooseArm(g.object);
      const words = g.object === 'phone' ? 'phone' : g.objectWords;
      const dup = state.duplicate;
      const avoidDir =
        dup && (g.object === dup.of || g.object === dup.copy) && near(world, dup.of, dup.copy, 0.1)
          ? (() => {
              const p = world.objectPose(dup.of).pos;
              const q = world.objectPose(dup.copy).pos;
              return Math.atan2(q[1] - p[1], q[0] - p[0]);
            })()
          : undefined;
      const held = yield* pick(x, a, g.object, words, { avoidDir });
      if (!held) {
        const e = x.motion.ee(a);
        yield* gripAt(x, a, e, x.motion.eeYaw(a), 1, `reach for the ${words}`, 0.3);
        continue;
      }
      if (dup && dup.phase === 'carried' && g.object === dup.of) {
        // Two came up at once: set them back down where they were and try again.
        const e = x.motion.ee(a);
        const yaw = x.motion.eeYaw(a);
        const c = world.objectPose(g.object).pos;
        const siteZ = dup.restZ + 0.003 + (e[2] - c[2]);
        yield* moveArm(x, a, [e[0], e[1], siteZ], yaw, 0, `put the extra ${words} back`, {
          tol: 0.006,
          speed: 0.12,
          maxSec: 3,
        });
        yield* gripAt(x, a, x.motion.ee(a), yaw, 1, `put the extra ${words} back`, 0.4);
        const e2 = x.motion.ee(a);
        yield* moveArm(x, a, [e2[0], e2[1], e2[2] + 0.08], yaw, 1, `put the extra ${words} back`, {
          tol: 0.02,
          maxSec: 2,
        });
        continue;
      }
      const rel = releasePoint(x, g.object, g.dest, aside, a);
      const destWords = g.object === 'phone' ? 'the table' : g.destWords;
      const moveLabel =
        g.dest.kind === 'aside'
          ? g.object === 'phone'
            ? 'move the phone out of the bin'
            : `put the extra ${words} back`
          : `move to the ${destWords}`;
      const relLabel =
        g.dest.kind === 'bin' && g.dest.bin === 'reject'
          ? `put the damaged ${words} in the reject bin`
          : g.dest.kind === 'aside'
            ? `put the ${words} aside`
            : g.dest.kind === 'on'
              ? `stack the ${words} on the ${g.destWords}`
              : `release the ${words}`;
      const ok = yield* carryAndRelease(x, a, g.object, words, rel, moveLabel, relLabel);
      if (g.dest.kind === 'aside') aside++;
      if (x.failMode === 'drop') return;
      if (!ok) continue; // slipped: re-grasp
      yield* hold(x, a, sec(x, 0.3), relLabel);
    }
    if (x.failMode === 'wrong_object') return;
  }
}

export { isHeldBy };

function near(world: SimWorld, a: string, b: string, d: number): boolean {
  const p = world.objectPose(a).pos;
  const q = world.objectPose(b).pos;
  return Math.hypot(p[0] - q[0], p[1] - q[1]) < d;
}

/**
 * The expert as a core `Policy` for one live episode (servers and the runtime can wrap it). It
 * ignores the observation: it reads the privileged world it was built with.
 */
export class ExpertPolicy implements Policy {
  readonly metadata: PolicyMetadata;
  private expert: ScriptedExpert;

  constructor(
    private readonly world: SimWorld,
    private readonly getState: () => SuiteState,
    private readonly quality: Quality = 'expert',
  ) {
    const spec = world.embodiment;
    this.metadata = {
      id: `scripted-expert-${quality}`,
      actionHorizon: 1,
      embodiments: {
        [spec.name]: policyEmbodimentInfo(spec),
      },
      extra: { privileged: true, quality },
    };
    this.expert = new ScriptedExpert(world, getState(), quality);
  }

  reset(): void {
    this.expert = new ScriptedExpert(this.world, this.getState(), this.quality);
  }

  async infer(_obs: Observation): Promise<ActionChunk> {
    const t0 = performance.now();
    const s = this.expert.act();
    return {
      actions: s.action,
      horizon: 1,
      actionDim: s.action.length,
      subtask: s.subtask,
      timing: { inferMs: performance.now() - t0 },
    };
  }
}
