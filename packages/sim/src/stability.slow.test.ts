import { EMBODIMENTS } from '@robofm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMujocoModule } from './mujoco.ts';
import { makeRng } from './rng.ts';
import { getRobot } from './robots/index.ts';
import { defaultScene } from './default-scene.ts';
import { MujocoWorld } from './sim-world.ts';

/** 10 simulated minutes of random PD targets inside the limits, per body: no NaN, no blow-up. */
const SECONDS = 600;

beforeAll(async () => {
  await loadMujocoModule();
});

describe('long random-target stability', () => {
  for (const name of Object.keys(EMBODIMENTS)) {
    it(`${name}: ${SECONDS} s of random targets stay finite and bounded`, () => {
      const spec = EMBODIMENTS[name];
      const robot = getRobot(name);
      const rng = makeRng(123);
      const world = new MujocoWorld(spec, robot, defaultScene(name, makeRng(5)));
      try {
        world.resetTo(robot.home);
        const sub = spec.physicsHz / spec.controlHz;
        const target = new Float64Array(spec.joints.length);
        let maxSpeed = 0;
        // A new random target every 0.5-2 s (a mix of small and full-range jumps).
        let next = 0;
        for (let t = 0; t < SECONDS * spec.controlHz; t++) {
          if (t >= next) {
            const full = rng.next() < 0.3;
            const q = world.jointPositions();
            spec.joints.forEach((j, i) => {
              const span = j.upper - j.lower;
              const v = full ? rng.uniform(j.lower, j.upper) : q[i] + rng.uniform(-0.2, 0.2) * span;
              target[i] = Math.min(j.upper, Math.max(j.lower, v));
            });
            world.setTargets(target);
            next = t + Math.round(rng.uniform(0.5, 2) * spec.controlHz);
          }
          for (let k = 0; k < sub; k++) world.physicsStep();
          const qv = world.data.qvel as Float64Array;
          for (let i = 0; i < qv.length; i++) {
            const v = Math.abs(qv[i]);
            if (!Number.isFinite(v))
              throw new Error(`${name}: qvel[${i}] not finite at t=${t / spec.controlHz}s`);
            if (v > maxSpeed) maxSpeed = v;
          }
        }
        const q = world.jointPositions();
        expect(q.every(Number.isFinite)).toBe(true);
        spec.joints.forEach((j, i) => {
          const span = j.upper - j.lower;
          expect(q[i]).toBeGreaterThan(j.lower - 0.1 * span);
          expect(q[i]).toBeLessThan(j.upper + 0.1 * span);
        });
        // Objects knocked around may fly, but nothing explodes.
        expect(maxSpeed).toBeLessThan(200);
      } finally {
        world.dispose();
      }
    }, 300_000);
  }
});
