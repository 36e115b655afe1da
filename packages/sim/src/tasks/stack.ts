import type { TaskDefinition } from '../task.ts';
import type { EdgeCase } from './edge-cases.ts';
import { injectPhysics } from './injectors.ts';
import {
  addTargets,
  applyEdgeCases,
  finishPlaceScene,
  reserveAsideSpots,
  startPlaceScene,
} from './place-builder.ts';
import { evaluateSuite } from './pick-place.ts';
import { objectWords } from './scene-kit.ts';
import type { SuiteState } from './suite-state.ts';

export const STACK_EDGE_CASES: readonly EdgeCase[] = ['nudge', 'slip'];

/** "stack the {color} block on the {color} block": two cubes (plus others), one goes on the other. */
export const stack: TaskDefinition<SuiteState> = {
  name: 'stack',
  embodiments: ['arm6', 'hand'],
  description: 'stack the {color} block on the {color} block',
  maxSteps: 400,
  build(ctx) {
    const rng = ctx.rng;
    const ps = startPlaceScene(ctx, 'stack', { nBins: 0, supported: STACK_EDGE_CASES });
    const objs = addTargets(ps, rng, 2 + rng.int(2), [], ['cube']);
    const [top, bottom] = objs;
    const goals = applyEdgeCases(
      ps,
      rng,
      top,
      [
        {
          object: top.name,
          dest: { kind: 'on', object: bottom.name },
          objectWords: objectWords(top),
          destWords: objectWords(bottom),
          mode: 'pick',
        },
      ],
      '',
    );
    ps.state.goals = goals;
    ps.state.mustStay.push(bottom.name);
    reserveAsideSpots(ps, rng, 1);
    finishPlaceScene(
      ps,
      rng,
      'stack',
      { object: objectWords(top), target: objectWords(bottom) },
      ctx.options,
      objs.map((o) => o.tags!.color),
      1,
    );
    return { scene: ps.scene, instruction: ps.state.instruction, state: ps.state };
  },
  onPhysicsStep: injectPhysics,
  evaluate: evaluateSuite,
};
