/**
 * Default scenes for a body when no task is given: a table with a few coloured objects (a room
 * with walls for the mobile base, a wide table for the ALOHA layout). Also the `free-play` task
 * that wraps them (no success condition, reward 0).
 */
import { quatFromYaw } from './math3.ts';
import type { Rng } from './rng.ts';
import { getRobot } from './robots/index.ts';
import type { FixtureDesc, ObjectDesc, Rgba, SceneDescription, ShapeDesc } from './scene.ts';
import type { TaskDefinition } from './task.ts';

const COLORS: Array<[string, Rgba]> = [
  ['red', [0.85, 0.12, 0.1, 1]],
  ['green', [0.1, 0.7, 0.2, 1]],
  ['blue', [0.12, 0.3, 0.9, 1]],
  ['yellow', [0.95, 0.85, 0.1, 1]],
  ['purple', [0.6, 0.2, 0.75, 1]],
];

function randomShape(rng: Rng, s = 1): [string, ShapeDesc] {
  const k = rng.int(3);
  if (k === 0) return ['cube', { type: 'box', halfSize: [0.025 * s, 0.025 * s, 0.025 * s] }];
  if (k === 1) return ['cylinder', { type: 'cylinder', radius: 0.022 * s, halfHeight: 0.03 * s }];
  return ['ball', { type: 'sphere', radius: 0.025 * s }];
}

function shapeHalfHeight(sh: ShapeDesc): number {
  return sh.type === 'box'
    ? sh.halfSize[2]
    : sh.type === 'sphere'
      ? sh.radius
      : sh.halfHeight + (sh.type === 'capsule' ? sh.radius : 0);
}

/** Objects scattered in a rectangle on a surface at height `z`. */
function scatter(
  rng: Rng,
  n: number,
  x: [number, number],
  y: [number, number],
  z: number,
  s = 1,
): ObjectDesc[] {
  const colors = rng.shuffle(COLORS);
  const out: ObjectDesc[] = [];
  for (let i = 0; i < n; i++) {
    const [word, shape] = randomShape(rng, s);
    let px = 0;
    let py = 0;
    for (let tries = 0; tries < 50; tries++) {
      px = rng.uniform(x[0], x[1]);
      py = rng.uniform(y[0], y[1]);
      if (out.every((o) => Math.hypot(o.pos[0] - px, o.pos[1] - py) > 0.09 * s)) break;
    }
    const [cname, rgba] = colors[i % colors.length];
    out.push({
      name: `${cname}_${word}`,
      shape,
      pos: [px, py, z + shapeHalfHeight(shape) + 0.002],
      quat: quatFromYaw(rng.uniform(-1.5, 1.5)),
      rgba,
      mass: 0.05 * s,
      tags: { color: cname, object: word },
    });
  }
  return out;
}

function baseScene(rng: Rng): SceneDescription {
  const g = rng.uniform(0.35, 0.5);
  const wood = rng.uniform(0.4, 0.55);
  return {
    table: { size: [1.2, 0.8], height: 0.75, rgba: [wood, wood * 0.7, wood * 0.45, 1] },
    floor: { rgba: [g, g, g + 0.03, 1], checker: [g * 0.6, g * 0.6, g * 0.65, 1] },
    objects: [],
    fixtures: [],
    lights: [
      {
        pos: [0.5, -0.5, 2.5],
        dir: [-0.2 + rng.uniform(-0.1, 0.1), 0.25, -1],
        diffuse: rng.uniform(0.55, 0.7),
      },
      { pos: [-1, 1, 2.5], dir: [0.4, -0.3, -1], diffuse: 0.25 },
    ],
    ambient: rng.uniform(0.3, 0.4),
  };
}

function wall(name: string, pos: [number, number, number], half: [number, number, number]): FixtureDesc {
  return { name, pos, geoms: [{ shape: { type: 'box', halfSize: half }, rgba: [0.82, 0.8, 0.74, 1] }] };
}

/** The default scene of a body for a scene seed. */
export function defaultScene(embodiment: string, rng: Rng): SceneDescription {
  const robot = getRobot(embodiment);
  const scene = baseScene(rng);
  if (robot.defaultScene === 'room') {
    scene.fixtures.push(
      wall('wall_n', [0, 3, 1], [3, 0.05, 1]),
      wall('wall_s', [0, -3, 1], [3, 0.05, 1]),
      wall('wall_e', [3, 0, 1], [0.05, 3, 1]),
      wall('wall_w', [-3, 0, 1], [0.05, 3, 1]),
    );
    scene.objects = scatter(rng, 3, [-0.3, 0.3], [-0.25, 0.25], 0.75);
    scene.robotBase = { pos: [rng.uniform(-2.2, -1.2), rng.uniform(-1, 1), 0], yaw: rng.uniform(-0.6, 0.6) };
  } else if (robot.defaultScene === 'aloha') {
    scene.objects = scatter(rng, 2, [-0.15, 0.15], [-0.15, 0.2], 0.75);
  } else {
    const reach =
      embodiment === 'arm4' ? [-0.16, 0.0] : embodiment === 'humanoid' ? [-0.45, -0.25] : [-0.2, 0.15];
    scene.objects = scatter(
      rng,
      3,
      reach as [number, number],
      [-0.22, 0.22],
      0.75,
      embodiment === 'arm4' ? 0.8 : 1,
    );
  }
  return scene;
}

/** The no-goal task: the default scene, an open instruction, reward 0, never done. */
export const freePlayTask: TaskDefinition = {
  name: 'free-play',
  embodiments: ['arm6', 'arm4', 'mobile', 'bimanual', 'humanoid', 'hand'],
  description: 'The default scene of a body with no goal (reward 0, never terminates).',
  build: (ctx) => ({
    scene: defaultScene(ctx.embodiment.name, ctx.rng),
    instruction: 'play with the objects on the table',
  }),
  evaluate: () => ({ success: false, reward: 0 }),
};
