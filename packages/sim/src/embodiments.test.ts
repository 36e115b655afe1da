import { EMBODIMENTS, getEmbodiment, ValidationError } from '@robofm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimEnv } from './env.ts';
import { loadMujocoModule } from './mujoco.ts';
import { makeRng } from './rng.ts';
import { getRobot, robotNames } from './robots/index.ts';

beforeAll(async () => {
  await loadMujocoModule();
});

describe('every embodiment', () => {
  it('has a robot description for each core spec and vice versa', () => {
    expect(robotNames().sort()).toEqual(Object.keys(EMBODIMENTS).sort());
    expect(robotNames()).toEqual(
      expect.arrayContaining(['arm6', 'arm4', 'mobile', 'bimanual', 'humanoid', 'hand']),
    );
    expect(getEmbodiment('bimanual').actionNames).toHaveLength(14);
    expect(getEmbodiment('bimanual').cameras.map((c) => c.name)).toEqual([
      'cam_high',
      'cam_low',
      'cam_left_wrist',
      'cam_right_wrist',
    ]);
    expect(getEmbodiment('arm4').actionNames.length).not.toBe(getEmbodiment('arm6').actionNames.length);
    expect(() => getEmbodiment('arm7')).toThrow(ValidationError);
  });

  for (const name of Object.keys(EMBODIMENTS)) {
    it(`${name}: loads, steps, renders and tracks PD targets`, () => {
      const env = new SimEnv({ embodiment: name, maxSteps: 1000 });
      try {
        const spec = env.spec;
        const { obs } = env.reset({ seed: 7 });
        expect(obs.state).toHaveLength(spec.stateNames.length);
        for (const c of spec.cameras) {
          const img = obs.images[c.name];
          expect(img).toHaveLength(c.width * c.height * 3);
          // Not a blank frame: many distinct colours.
          const colours = new Set<number>();
          for (let i = 0; i < img.length; i += 3)
            colours.add((img[i] << 16) | (img[i + 1] << 8) | img[i + 2]);
          expect(colours.size).toBeGreaterThan(4);
        }
        // End-effector sites exist.
        for (const s of getRobot(name).eeSites)
          expect(env.world.eePose(s).pos.every(Number.isFinite)).toBe(true);
        // Targets: home + a random offset of up to 15 % of each joint's range, inside limits.
        const rng = makeRng(11);
        const home = env.world.jointPositions();
        const target = new Float32Array(spec.joints.length);
        spec.joints.forEach((j, i) => {
          const span = j.upper - j.lower;
          const t = home[i] + rng.uniform(-0.15, 0.15) * Math.min(span, 2);
          target[i] = Math.min(j.upper - 0.01 * span, Math.max(j.lower + 0.01 * span, t));
        });
        let r = env.step(target);
        for (let k = 0; k < 2 * spec.controlHz; k++) r = env.step(target); // 2 s
        expect(r.obs.state.every(Number.isFinite)).toBe(true);
        const q = env.world.jointPositions();
        spec.joints.forEach((j, i) => {
          const tol =
            j.kind === 'gripper'
              ? 0.1 * (j.upper - j.lower)
              : j.kind === 'base_x' || j.kind === 'base_y'
                ? 0.03
                : 0.05;
          expect(Math.abs(q[i] - target[i]), `${name}.${j.name}`).toBeLessThan(tol);
        });
      } finally {
        env.dispose();
      }
    });
  }
});
