import { getEmbodiment } from '@robofm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimEnv } from './env.ts';
import { loadMujocoModule } from './mujoco.ts';
import { RayRenderer } from './renderer.ts';
import { getRobot } from './robots/index.ts';
import type { SceneDescription } from './scene.ts';
import { MujocoWorld } from './sim-world.ts';

beforeAll(async () => {
  await loadMujocoModule();
});

describe('RayRenderer', () => {
  it('the static-background cache gives exactly the full re-cast image while the robot moves', () => {
    for (const [embodiment, camera] of [
      ['arm6', 'front'],
      ['bimanual', 'cam_high'],
      ['mobile', 'wrist'],
    ] as const) {
      const env = new SimEnv({ embodiment, cameras: [], maxSteps: 100 });
      try {
        env.reset({ seed: 2 });
        const spec = getEmbodiment(embodiment);
        const target = Float32Array.from(env.world.jointPositions());
        target[0] = Math.min(spec.joints[0].upper, target[0] + 0.6);
        target[1] = Math.min(spec.joints[1].upper, target[1] + 0.3);
        for (let k = 0; k < 6; k++) {
          env.step(target);
          const fast = env.render(camera, { depth: true });
          const full = (env as unknown as { renderer: RayRenderer }).renderer.render(camera, 96, 96, {
            depth: true,
            cache: false,
          });
          expect(
            Buffer.from(fast.rgb).equals(Buffer.from(full.rgb)),
            `${embodiment}/${camera} step ${k}`,
          ).toBe(true);
          expect(Array.from(fast.depth!)).toEqual(Array.from(full.depth!));
        }
      } finally {
        env.dispose();
      }
    }
  });

  it('depth is the distance along the optical axis and colour is the hit geom lit by the scene', () => {
    // A red ball 1 m in front of the hand's front camera, on an otherwise empty floor.
    const spec = getEmbodiment('hand');
    const robot = getRobot('hand');
    const cam = robot.links[0].cameras![0];
    const dir = [cam.target[0] - cam.pos[0], cam.target[1] - cam.pos[1], cam.target[2] - cam.pos[2]];
    const len = Math.hypot(dir[0], dir[1], dir[2]);
    const ball = dir.map((v, i) => cam.pos[i] + v / len) as [number, number, number];
    const scene: SceneDescription = {
      floor: { rgba: [0.5, 0.5, 0.5, 1] },
      objects: [{ name: 'ball', shape: { type: 'sphere', radius: 0.1 }, pos: ball, rgba: [1, 0, 0, 1] }],
      fixtures: [],
      lights: [
        { pos: [0, 0, 3], dir: cam.pos.map((v, i) => ball[i] - v) as [number, number, number], diffuse: 0.5 },
      ],
      ambient: 0.3,
    };
    const world = new MujocoWorld(spec, robot, scene);
    const r = new RayRenderer(world);
    try {
      world.resetTo(robot.home);
      const { rgb, depth } = r.render('front', 33, 33, { depth: true });
      const c = 16 * 33 + 16;
      expect(depth![c]).toBeCloseTo(0.9, 3);
      // Facing the light head-on: ambient 0.3 + diffuse 0.5 → 0.8 × 255 red, no green or blue.
      expect(rgb[3 * c]).toBeGreaterThanOrEqual(200);
      expect(rgb[3 * c]).toBeLessThanOrEqual(206);
      expect(rgb[3 * c + 1]).toBe(0);
      // A corner pixel misses the ball: floor or sky, not red.
      expect(rgb[0]).toBeLessThan(rgb[3 * c]);
      expect(depth![0]).toBeGreaterThan(1);
    } finally {
      r.dispose();
      world.dispose();
    }
  });
});
