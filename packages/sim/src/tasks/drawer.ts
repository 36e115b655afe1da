import type { FixtureDesc, Rgba, ShapeDesc, Vec3 } from '../scene.ts';
import type { SimWorld, TaskDefinition, TaskEvaluation } from '../task.ts';
import { drawEdgeCases } from './edge-cases.ts';
import { makeInstruction } from './instructions.ts';
import { paraphraseSet } from './place-builder.ts';
import { type Footprint, addDistractors, baseScene, shade } from './scene-kit.ts';
import { mutedColor } from './vocab.ts';
import type { SuiteState } from './suite-state.ts';
import { workspaceFor } from './workspace.ts';

export const DRAWER_TRAVEL = 0.13;
/** Opening (m) past which the drawer counts as open; closed below DRAWER_TRAVEL - CLOSED_AT. */
export const OPEN_AT = 0.09;
export const CLOSED_AT = 0.015;
const W = 0.1; // drawer half width (y)
const D = 0.08; // drawer half depth (x)
const H = 0.03; // drawer half height

const box = (h: Vec3): ShapeDesc => ({ type: 'box', halfSize: h });

/**
 * A cabinet (static) whose drawer slides toward the robot (−x). The drawer fixture body moves along
 * its slide joint; `open` starts it closed (joint 0 → success when > OPEN_AT), `close` starts it
 * pulled out (body built at the open position, joint range [−travel, 0] → success when back in).
 */
export function makeCabinet(x: number, y: number, z: number, color: Rgba, startOpen: boolean): FixtureDesc[] {
  const c = shade(color, 0.85);
  const cabinet: FixtureDesc = {
    name: 'cabinet',
    pos: [x, y, z],
    geoms: [
      { shape: box([D + 0.01, W + 0.02, 0.008]), pos: [0.005, 0, 2 * H + 0.02], rgba: c },
      { shape: box([D + 0.01, 0.008, H + 0.01]), pos: [0.005, W + 0.015, H + 0.01], rgba: c },
      { shape: box([D + 0.01, 0.008, H + 0.01]), pos: [0.005, -W - 0.015, H + 0.01], rgba: c },
      { shape: box([0.008, W + 0.02, H + 0.015]), pos: [D + 0.015, 0, H + 0.012], rgba: c },
    ],
    tags: { kind: 'cabinet' },
  };
  const dz = 0.004;
  const dx = startOpen ? -DRAWER_TRAVEL + 0.01 : 0;
  const drawer: FixtureDesc = {
    name: 'drawer',
    pos: [x + dx, y, z + dz],
    geoms: [
      { shape: box([D, W, 0.004]), pos: [0, 0, 0.004], rgba: color },
      { shape: box([0.006, W, H]), pos: [-D + 0.006, 0, H], rgba: color },
      { shape: box([0.005, W, H * 0.8]), pos: [D - 0.005, 0, H * 0.8], rgba: color },
      { shape: box([D, 0.005, H * 0.8]), pos: [0, W - 0.005, H * 0.8], rgba: color },
      { shape: box([D, 0.005, H * 0.8]), pos: [0, -W + 0.005, H * 0.8], rgba: color },
      // Handle: a bar along y, 4.5 cm in front of the drawer front, on two posts.
      {
        shape: { type: 'cylinder', radius: 0.008, halfHeight: 0.05 },
        pos: [-D - 0.045, 0, H + 0.012],
        quat: [Math.SQRT1_2, Math.SQRT1_2, 0, 0],
        rgba: [0.15, 0.15, 0.17, 1],
      },
      { shape: box([0.022, 0.006, 0.006]), pos: [-D - 0.024, 0.04, H + 0.012], rgba: [0.15, 0.15, 0.17, 1] },
      { shape: box([0.022, 0.006, 0.006]), pos: [-D - 0.024, -0.04, H + 0.012], rgba: [0.15, 0.15, 0.17, 1] },
    ],
    joint: startOpen
      ? { type: 'slide', axis: [-1, 0, 0], range: [-DRAWER_TRAVEL + 0.01, 0], damping: 4 }
      : { type: 'slide', axis: [-1, 0, 0], range: [0, DRAWER_TRAVEL], damping: 4 },
    sites: [{ name: 'handle', pos: [-D - 0.045, 0, H + 0.012] }],
    tags: { kind: 'drawer' },
  };
  return [cabinet, drawer];
}

/** "open the drawer" / "close the drawer". */
export const drawer: TaskDefinition<SuiteState> = {
  name: 'drawer',
  embodiments: ['arm6', 'hand'],
  description: 'open or close a drawer',
  maxSteps: 300,
  build(ctx) {
    const rng = ctx.rng;
    const edgeCases = drawEdgeCases(ctx.options, [], rng.fork());
    const ws = workspaceFor(ctx.embodiment.name);
    const scene = baseScene(rng, ws);
    const open = rng.next() < 0.5;
    const base = ws.base.pos;
    // Cabinet straight ahead of the body, 0.42–0.5 m out, ±0.12 m sideways.
    const cx = (ctx.embodiment.name === 'hand' ? -0.05 : base[0] + 0.5) + rng.uniform(-0.02, 0.04);
    const cy = rng.uniform(-0.12, 0.12);
    scene.fixtures.push(...makeCabinet(cx, cy, ws.tableHeight, mutedColor(rng, 0.3, 0.7), !open));
    const used: Footprint[] = [
      { x: cx, y: cy, r: 0.14 },
      { x: cx - DRAWER_TRAVEL - 0.05, y: cy, r: 0.14 },
    ];
    addDistractors(rng, scene, used, ws, [], 2);
    const verb = open ? 'open' : 'close';
    const state: SuiteState = {
      task: 'drawer',
      embodiment: ctx.embodiment.name,
      sceneSeed: ctx.sceneSeed,
      instruction: makeInstruction(
        'drawer',
        { verb, state: open ? 'open' : 'closed', target: 'drawer' },
        paraphraseSet(ctx.options),
        rng,
      ),
      edgeCases,
      goals: [],
      mustStay: [],
      tableHeight: ws.tableHeight,
      asideSpots: [],
      extra: { open },
    };
    return { scene, instruction: state.instruction, state };
  },
  evaluate(world: SimWorld, s: SuiteState): TaskEvaluation {
    const q = world.fixtureJoint('drawer');
    const released = world.graspedBodies().length === 0 || !world.graspedBodies().includes('fix_drawer');
    if (s.extra.open) {
      if (q > OPEN_AT && released) return { success: true, reward: 1 };
      return {
        success: false,
        reward: Math.max(0, q) / OPEN_AT / 10,
        info: { unmet: 'drawer_not_open', opening: q },
      };
    }
    // Built open: joint 0 = open, −(travel − 0.01) = closed.
    const shut = q < -(DRAWER_TRAVEL - 0.01) + CLOSED_AT;
    if (shut && released) return { success: true, reward: 1 };
    return { success: false, reward: 0, info: { unmet: 'drawer_not_closed', opening: q } };
  },
};
