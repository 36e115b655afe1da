import type { SimWorld, TaskDefinition, TaskEvaluation } from '../task.ts';
import type { EdgeCase } from './edge-cases.ts';
import { evaluateGoals } from './goals.ts';
import { injectPhysics } from './injectors.ts';
import {
  addTargets,
  applyEdgeCases,
  finishPlaceScene,
  mobileStart,
  reserveAsideSpots,
  startPlaceScene,
} from './place-builder.ts';
import { objectWords } from './scene-kit.ts';
import type { SuiteState } from './suite-state.ts';

export const PICK_PLACE_EDGE_CASES: readonly EdgeCase[] = ['duplicate', 'damaged', 'phone', 'nudge', 'slip'];

/** "put the {color} {object} in the {color} bin": one target among 1–3 objects, two bins. */
export const pickPlace: TaskDefinition<SuiteState> = {
  name: 'pick_place',
  embodiments: ['arm6', 'arm4', 'mobile', 'humanoid', 'hand'],
  description:
    'put the {color} {object} in the {color} bin (edge cases: duplicate, damaged, phone, nudge, slip)',
  maxSteps: 400,
  build(ctx) {
    const rng = ctx.rng;
    // arm4's one-jaw gripper cannot take a flat phone off a bin floor.
    const supported =
      ctx.embodiment.name === 'arm4'
        ? PICK_PLACE_EDGE_CASES.filter((e) => e !== 'phone')
        : PICK_PLACE_EDGE_CASES;
    const ps = startPlaceScene(ctx, 'pick_place', { nBins: 2, supported });
    const nObjects = 1 + rng.int(3);
    const objs = addTargets(ps, rng, nObjects, []);
    const target = objs[0];
    const targetBin = 'bin0';
    const goals = applyEdgeCases(
      ps,
      rng,
      target,
      [
        {
          object: target.name,
          dest: { kind: 'bin', bin: targetBin },
          objectWords: objectWords(target),
          destWords: `${ps.binColor[targetBin]} bin`,
          mode: 'pick',
        },
      ],
      targetBin,
    );
    ps.state.goals = goals;
    reserveAsideSpots(ps, rng, 2);
    finishPlaceScene(
      ps,
      rng,
      'pick_place',
      { object: objectWords(target), target: `${ps.binColor[targetBin]} bin` },
      ctx.options,
      objs.map((o) => o.tags!.color),
    );
    const initialJoints = mobileStart(ps, rng);
    return {
      scene: ps.scene,
      instruction: ps.state.instruction,
      state: ps.state,
      ...(initialJoints ? { initialJoints } : {}),
    };
  },
  onPhysicsStep: injectPhysics,
  evaluate: evaluateSuite,
};

/** Goal-based detector with the duplicate rule: either copy may be the one in the bin. */
export function evaluateSuite(world: SimWorld, s: SuiteState): TaskEvaluation {
  const ev = evaluateGoals(world, s.goals, s.mustStay);
  if (ev.success || !s.duplicate || ev.failure) return ev;
  const swap = (n: string) =>
    n === s.duplicate!.of ? s.duplicate!.copy : n === s.duplicate!.copy ? s.duplicate!.of : n;
  const swapped = evaluateGoals(
    world,
    s.goals.map((g) => ({ ...g, object: swap(g.object) })),
    s.mustStay,
  );
  return swapped.success ? swapped : ev;
}
