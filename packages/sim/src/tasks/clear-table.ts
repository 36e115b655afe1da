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

export const CLEAR_TABLE_EDGE_CASES: readonly EdgeCase[] = ['phone', 'nudge', 'slip'];

/** "put every object in the {color} bin": 2–3 objects, one step (subtask) per object. */
export const clearTable: TaskDefinition<SuiteState> = {
  name: 'clear_table',
  embodiments: ['arm6', 'hand'],
  description: 'put every object in the bin (a multi-step task; each object is a subtask)',
  maxSteps: 900,
  build(ctx) {
    const rng = ctx.rng;
    const ps = startPlaceScene(ctx, 'clear_table', { nBins: 1, supported: CLEAR_TABLE_EDGE_CASES });
    const objs = addTargets(ps, rng, 2 + rng.int(2), [ps.binColor.bin0]);
    const words = `${ps.binColor.bin0} bin`;
    const goals = applyEdgeCases(
      ps,
      rng,
      objs[0],
      objs.map((o) => ({
        object: o.name,
        dest: { kind: 'bin' as const, bin: 'bin0' },
        objectWords: objectWords(o),
        destWords: words,
        mode: 'pick' as const,
      })),
      'bin0',
    );
    ps.state.goals = goals;
    reserveAsideSpots(ps, rng, 1);
    // No distractors: every object on the table belongs in the bin.
    finishPlaceScene(ps, rng, 'clear_table', { target: words }, ctx.options, [], 0);
    return { scene: ps.scene, instruction: ps.state.instruction, state: ps.state };
  },
  onPhysicsStep: injectPhysics,
  evaluate: evaluateSuite,
};
