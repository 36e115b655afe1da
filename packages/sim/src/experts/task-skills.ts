import { RobofmError } from '@robofm/core';
import { placeGoals } from './scripted-expert.ts';
import type { Skill, SkillCtx } from './skills.ts';

/** The expert's top-level skill for a task (by the task name in its state). */
export function taskSkill(x: SkillCtx): Skill<void> {
  switch (x.state.task) {
    case 'pick_place':
    case 'stack':
    case 'clear_table':
      return placeGoals(x, (obj) => nearestArm(x, obj));
    default:
      throw new RobofmError('expert_missing', `no scripted expert for task '${x.state.task}'`);
  }
}

/** The arm whose end effector is closest to the object (one-armed bodies: arm 0). */
export function nearestArm(x: SkillCtx, object: string): number {
  const n = x.motion.cfg.arms.length;
  if (n === 1) return 0;
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
