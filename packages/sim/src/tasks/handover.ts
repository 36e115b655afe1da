import type { SimWorld, TaskDefinition, TaskEvaluation } from '../task.ts';
import type { EdgeCase } from './edge-cases.ts';
import { evaluateGoals } from './goals.ts';
import { injectPhysics } from './injectors.ts';
import { finishPlaceScene, startPlaceScene } from './place-builder.ts';
import { makeBin, makeObject, placeFree } from './scene-kit.ts';
import type { SuiteState } from './suite-state.ts';
import { COLORS, COLOR_NAMES } from './vocab.ts';
import type { Workspace } from './workspace.ts';

export const HANDOVER_EDGE_CASES: readonly EdgeCase[] = ['nudge', 'slip'];

/** ALOHA layout: arms at x = ±0.47 on a 1.2 × 0.8 table; the object starts left, the bin is right. */
const BIMANUAL_WS: Workspace = {
  tableHeight: 0.75,
  tableHalf: [0.6, 0.4],
  reach: { kind: 'rect', x: [-0.3, 0.3], y: [-0.2, 0.2] },
  base: { pos: [0, 0, 0.75], yaw: 0 },
  binInner: 0.075,
  objectScale: 1,
};

/**
 * Bimanual handover: the left arm picks a long block from the left half, hands it to the right
 * arm over the middle, and the right arm puts it in the bin on the right half (out of the left
 * arm's comfortable reach). Success needs the block in the bin and a moment when both hands held it.
 */
export const handover: TaskDefinition<SuiteState> = {
  name: 'handover',
  embodiments: ['bimanual'],
  description: 'pick with the left arm, hand to the right arm, place in the bin',
  maxSteps: 900,
  build(ctx) {
    const rng = ctx.rng;
    const ps = startPlaceScene(ctx, 'handover', {
      nBins: 0,
      supported: HANDOVER_EDGE_CASES,
      ws: BIMANUAL_WS,
    });
    const ws = ps.ws;
    const binColor = rng.choice(COLOR_NAMES.filter((c) => c !== 'black' && c !== 'white'));
    const bp = placeFree(rng, ps.used, { kind: 'rect', x: [0.14, 0.3], y: [-0.12, 0.12] }, 0.02, 0.02);
    ps.used[ps.used.length - 1].r = 0.115;
    ps.scene.fixtures.push(
      makeBin('bin0', bp.x, bp.y, ws.tableHeight, COLORS[binColor], { color: binColor }),
    );
    ps.binColor.bin0 = binColor;
    const color = rng.choice(COLOR_NAMES.filter((c) => c !== binColor && c !== 'black'));
    const op = placeFree(rng, ps.used, { kind: 'rect', x: [-0.28, -0.14], y: [-0.12, 0.12] }, 0.02, 0.03);
    ps.used[ps.used.length - 1].r = 0.08;
    const len = rng.uniform(0.065, 0.075);
    const obj = makeObject(
      rng,
      `${color}_bar`,
      'block',
      color,
      op.x,
      op.y,
      ws.tableHeight,
      { kind: 'bar' },
      {
        type: 'box',
        halfSize: [len, rng.uniform(0.016, 0.02), rng.uniform(0.016, 0.02)],
      },
    );
    const yaw = rng.uniform(-0.35, 0.35);
    obj.quat = [Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)];
    ps.scene.objects.push(obj);
    if (ps.state.edgeCases.includes('nudge')) {
      const a = rng.uniform(-Math.PI, Math.PI);
      ps.state.nudge = { object: obj.name, delta: [Math.cos(a) * 0.03, Math.sin(a) * 0.03, 0], done: false };
    }
    if (ps.state.edgeCases.includes('slip'))
      ps.state.slip = {
        object: obj.name,
        liftZ: ws.tableHeight + 0.08,
        phase: 'armed',
        until: 0,
        friction: 1.2,
      };
    ps.state.goals = [
      {
        object: obj.name,
        dest: { kind: 'bin', bin: 'bin0' },
        objectWords: `${color} bar`,
        destWords: `${binColor} bin`,
        mode: 'pick',
      },
    ];
    ps.state.extra.handedOver = false;
    finishPlaceScene(
      ps,
      rng,
      'handover',
      { object: `${color} bar`, target: `${binColor} bin` },
      ctx.options,
      [color],
      1,
    );
    return { scene: ps.scene, instruction: ps.state.instruction, state: ps.state };
  },
  onPhysicsStep: injectPhysics,
  evaluate(world: SimWorld, s: SuiteState): TaskEvaluation {
    const obj = s.goals[0].object;
    const body = `obj_${obj}`;
    if (
      !s.extra.handedOver &&
      world.graspedBodies('left').includes(body) &&
      world.graspedBodies('right').includes(body)
    )
      s.extra.handedOver = true;
    const ev = evaluateGoals(world, s.goals, s.mustStay);
    if (ev.success && !s.extra.handedOver)
      return { success: false, reward: 0, info: { unmet: 'no_handover' } };
    return ev;
  },
};
