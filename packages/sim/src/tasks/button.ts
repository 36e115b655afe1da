import type { FixtureDesc } from '../scene.ts';
import type { SimWorld, TaskDefinition, TaskEvaluation } from '../task.ts';
import { drawEdgeCases } from './edge-cases.ts';
import { makeInstruction } from './instructions.ts';
import { paraphraseSet } from './place-builder.ts';
import { type Footprint, addDistractors, baseScene, placeFree, shade } from './scene-kit.ts';
import type { SuiteState } from './suite-state.ts';
import { COLORS, COLOR_NAMES } from './vocab.ts';
import { workspaceFor } from './workspace.ts';

/** Travel (m) past which a button counts as pressed. */
export const PRESS_DEPTH = 0.006;
const CAP_R = 0.024;
const CAP_H = 0.009;
const REST = 0.026; // cap centre above the table at rest

/** A spring-loaded push button: a static base plate and a cap on a vertical slide (down = +). */
export function makeButton(
  name: string,
  x: number,
  y: number,
  z: number,
  color: string,
  scale = 1,
): FixtureDesc[] {
  const rgba = COLORS[color];
  return [
    {
      name: `${name}_base`,
      pos: [x, y, z],
      geoms: [
        {
          shape: { type: 'cylinder', radius: CAP_R * scale + 0.012, halfHeight: 0.004 },
          pos: [0, 0, 0.004],
          rgba: shade(rgba, 0.35),
        },
      ],
      tags: { kind: 'button_base' },
    },
    {
      name,
      pos: [x, y, z + REST],
      geoms: [{ shape: { type: 'cylinder', radius: CAP_R * scale, halfHeight: CAP_H }, rgba }],
      joint: { type: 'slide', axis: [0, 0, -1], range: [0, 0.012], stiffness: 250, springref: 0, damping: 2 },
      tags: { kind: 'button', color },
    },
  ];
}

/** "press the {color} button": 2–3 buttons; pressing another one first is a failure. */
export const button: TaskDefinition<SuiteState> = {
  name: 'button',
  embodiments: ['arm6', 'arm4', 'hand'],
  description: 'press the {color} button (the others must stay unpressed)',
  maxSteps: 200,
  build(ctx) {
    const rng = ctx.rng;
    const edgeCases = drawEdgeCases(ctx.options, [], rng.fork());
    const ws = workspaceFor(ctx.embodiment.name);
    const scene = baseScene(rng, ws);
    const used: Footprint[] = [];
    const n = 2 + rng.int(2);
    const colors = rng.shuffle(COLOR_NAMES.filter((c) => c !== 'black' && c !== 'white')).slice(0, n);
    const names: string[] = [];
    const scale = ws.objectScale < 1 ? 0.8 : 1;
    for (let i = 0; i < n; i++) {
      const p = placeFree(rng, used, ws.reach, 0.02, 0.06, 0.02);
      used[used.length - 1].r = CAP_R + 0.03;
      scene.fixtures.push(...makeButton(`button${i}`, p.x, p.y, ws.tableHeight, colors[i], scale));
      names.push(`button${i}`);
    }
    addDistractors(rng, scene, used, ws, colors, 2);
    const target = names[0];
    const state: SuiteState = {
      task: 'button',
      embodiment: ctx.embodiment.name,
      sceneSeed: ctx.sceneSeed,
      instruction: makeInstruction(
        'button',
        { target: `${colors[0]} button` },
        paraphraseSet(ctx.options),
        rng,
      ),
      edgeCases,
      goals: [],
      mustStay: [],
      tableHeight: ws.tableHeight,
      asideSpots: [],
      extra: {
        target,
        buttons: names,
        targetWords: `${colors[0]} button`,
        capTop: ws.tableHeight + REST + CAP_H,
        pressed: null,
      },
    };
    return { scene, instruction: state.instruction, state };
  },
  evaluate(world: SimWorld, s: SuiteState): TaskEvaluation {
    const buttons = s.extra.buttons as string[];
    for (const b of buttons) {
      if (world.fixtureJoint(b) > PRESS_DEPTH) {
        if (b === s.extra.target) return { success: true, reward: 1 };
        return { success: false, reward: 0, failure: 'wrong_button', done: true };
      }
    }
    return {
      success: false,
      reward: 0,
      info: { unmet: 'not_pressed', depth: world.fixtureJoint(s.extra.target as string) },
    };
  },
};
