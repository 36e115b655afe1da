import { RobofmError, ValidationError } from '@robofm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimEnv } from './env.ts';
import { solveIk } from './ik.ts';
import { deleteData, liveHandles, loadMujocoModule, newData } from './mujoco.ts';
import { makeRng } from './rng.ts';
import type { TaskDefinition } from './task.ts';

beforeAll(async () => {
  await loadMujocoModule();
});

function randomTargets(env: SimEnv, seed: number, n: number): Float32Array[] {
  const rng = makeRng(seed);
  const home = env.world.jointPositions();
  return Array.from({ length: n }, () =>
    Float32Array.from(env.spec.joints, (j, i) => {
      const span = j.upper - j.lower;
      return Math.min(j.upper, Math.max(j.lower, home[i] + rng.uniform(-0.2, 0.2) * Math.min(span, 1.5)));
    }),
  );
}

function digest(a: ArrayLike<number>): number {
  let h = 2166136261;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ Math.round(a[i] * 1e6), 16777619);
  return h >>> 0;
}

describe('SimEnv', () => {
  it('is deterministic given the seed (state and images), and seeds change the scene', () => {
    const run = (seed: number) => {
      const env = new SimEnv({ embodiment: 'arm6', maxSteps: 50 });
      try {
        const { obs, info } = env.reset({ seed });
        const out = [
          digest(obs.state),
          digest(obs.images.front),
          JSON.stringify(env.world.scene.objects.map((o) => o.pos)),
        ];
        for (const a of randomTargets(env, 5, 15)) {
          const r = env.step(a);
          out.push(digest(r.obs.state), digest(r.obs.images.wrist));
        }
        expect(info.sceneSeed).toBe(seed);
        return out;
      } finally {
        env.dispose();
      }
    };
    const a = run(42);
    const b = run(42);
    expect(a).toEqual(b);
    const c = run(43);
    expect(c[2]).not.toEqual(a[2]);
  });

  it('reuses the compiled model when the scene is identical and replays an episode bit-exactly', () => {
    const env = new SimEnv({ embodiment: 'arm4', maxSteps: 100 });
    try {
      env.reset({ seed: 3 });
      const model = env.world.model;
      const acts = randomTargets(env, 9, 10);
      const first = acts.map((a) => Array.from(env.step(a).obs.state));
      env.reset({ seed: 3 });
      expect(env.world.model).toBe(model);
      const second = acts.map((a) => Array.from(env.step(a).obs.state));
      expect(second).toEqual(first);
      env.reset({ seed: 4 });
      expect(env.world.model).not.toBe(model);
    } finally {
      env.dispose();
    }
  });

  it('rejects bad actions with a ValidationError naming the field', () => {
    const env = new SimEnv({ embodiment: 'arm6' });
    try {
      expect(() => env.step(new Float32Array(7))).toThrow(RobofmError); // before reset
      env.reset({ seed: 0 });
      const ok = Float32Array.from(env.world.jointPositions());
      const err = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return e as ValidationError;
        }
        throw new Error('expected a throw');
      };
      const wrong = err(() => env.step(new Float32Array(6)));
      expect(wrong).toBeInstanceOf(ValidationError);
      expect(wrong.field).toBe('action');
      expect(wrong.message).toContain('length 7');
      const nan = Float32Array.from(ok);
      nan[2] = Number.NaN;
      expect(err(() => env.step(nan)).field).toBe('action[2] (elbow)');
      const far = Float32Array.from(ok);
      far[1] = 5;
      const e = err(() => env.step(far));
      expect(e.field).toBe('action[1] (shoulder_lift)');
      expect(e.message).toContain('[-1.9, 1.9]');
      expect(err(() => env.step([1, 2] as unknown as Float32Array)).field).toBe('action');
      expect(err(() => env.reset({ seed: -1 })).field).toBe('seed');
      // A good action still works after the errors.
      expect(env.step(ok).obs.state).toHaveLength(7);
    } finally {
      env.dispose();
    }
    expect(() => new SimEnv({ embodiment: 'arm9' })).toThrow(/embodiment/);
    expect(() => new SimEnv({ embodiment: 'arm6', cameras: ['nope'] })).toThrow(/cameras\[0\]/);
    expect(() => new SimEnv({ embodiment: 'arm6', task: 'pick-plce' })).toThrow(/task/);
    expect(() => new SimEnv({ embodiment: 'arm6', resolution: 0 })).toThrow(/resolution/);
    expect(() => new SimEnv({ embodiment: 'arm6', maxSteps: 0 })).toThrow(/maxSteps/);
  });

  it('keeps working when other allocations grow the WASM heap (views re-read, inputs off-heap)', () => {
    const env = new SimEnv({ embodiment: 'arm6', maxSteps: 100 });
    const extra: ReturnType<typeof newData>[] = [];
    try {
      env.reset({ seed: 0 });
      const before = env.render('front', { depth: true });
      const state = env.world.saveState();
      // ~40 more MjData (each reserves its arena): the heap grows and old views detach.
      for (let i = 0; i < 40; i++) extra.push(newData(env.world.model));
      const after = env.render('front', { depth: true });
      expect(Buffer.from(after.rgb).equals(Buffer.from(before.rgb))).toBe(true);
      env.world.restoreState(state);
      const a = Float32Array.from(env.world.jointPositions());
      expect(env.step(a).obs.state).toHaveLength(7);
      expect(env.world.eeJacobian().jacp.some((v) => v !== 0)).toBe(true);
    } finally {
      for (const d of extra) deleteData(d);
      env.dispose();
    }
    expect(liveHandles()).toEqual({ models: 0, datas: 0, buffers: 0 });
  });

  it('saveState/restoreState replays physics and control bit-exactly', () => {
    const env = new SimEnv({ embodiment: 'arm6', cameras: [], maxSteps: 100 });
    try {
      env.reset({ seed: 1 });
      const acts = randomTargets(env, 3, 8);
      env.step(acts[0]);
      const saved = env.world.saveState();
      const first = acts.slice(1).map((a) => Array.from(env.step(a).obs.state));
      env.world.restoreState(saved);
      const second = acts.slice(1).map((a) => Array.from(env.step(a).obs.state));
      expect(second).toEqual(first);
      expect(() => env.world.restoreState(new Float64Array(3))).toThrow(/saveState/);
    } finally {
      env.dispose();
    }
  });

  it('frees every MuJoCo handle on dispose', () => {
    const before = liveHandles();
    const env = new SimEnv({ embodiment: 'bimanual' });
    env.reset({ seed: 1 });
    env.reset({ seed: 2 }); // new scene: old model freed
    env.step(Float32Array.from(env.world.jointPositions()));
    const during = liveHandles();
    expect(during.models).toBe(before.models + 1);
    expect(during.datas).toBe(before.datas + 1);
    env.dispose();
    env.dispose(); // idempotent
    expect(liveHandles()).toEqual(before);
    expect(() => env.reset()).toThrow(/disposed/);
  });

  it('truncates at maxSteps, ends on task success and then needs a reset', () => {
    let calls = 0;
    const task: TaskDefinition<{ n: number }> = {
      name: 'count-to-three',
      embodiments: ['hand'],
      build: (ctx) => ({
        scene: { floor: { rgba: [0.5, 0.5, 0.5, 1] }, objects: [], fixtures: [], lights: [], ambient: 0.4 },
        instruction: `count ${ctx.options.word ?? ''}`.trim(),
        state: { n: 0 },
      }),
      onPhysicsStep: () => {
        calls++;
      },
      evaluate: (_w, s) => {
        s.n++;
        return { success: s.n >= 3, reward: s.n >= 3 ? 1 : 0, info: { n: s.n } };
      },
    };
    const env = new SimEnv({
      embodiment: 'hand',
      task: task as TaskDefinition<unknown>,
      taskOptions: { word: 'up' },
      maxSteps: 10,
    });
    try {
      const { obs } = env.reset({ seed: 0 });
      expect(obs.instruction).toBe('count up');
      const a = Float32Array.from(env.world.jointPositions());
      expect(env.step(a).terminated).toBe(false);
      env.step(a);
      const r = env.step(a);
      expect([r.terminated, r.truncated, r.reward, r.info.success, r.info.n]).toEqual([
        true,
        false,
        1,
        true,
        3,
      ]);
      expect(calls).toBe(3 * env.physicsSubsteps);
      expect(() => env.step(a)).toThrow(/reset/);
      const short = new SimEnv({ embodiment: 'hand', maxSteps: 2 });
      short.reset({ seed: 0 });
      const b = Float32Array.from(short.world.jointPositions());
      expect(short.step(b).truncated).toBe(false);
      expect(short.step(b).truncated).toBe(true);
      short.dispose();
    } finally {
      env.dispose();
    }
  });

  it('renders depth in metres and the scene lighting changes the image', () => {
    const env = new SimEnv({ embodiment: 'hand', depth: true });
    try {
      const { info } = env.reset({ seed: 0 });
      const depth = (info.depth as Record<string, Float32Array>).front;
      expect(depth).toHaveLength(96 * 96);
      // The front camera is ~1.2-2.5 m from the table; the sky (if any) reads `far`.
      const mid = depth[48 * 96 + 48];
      expect(mid).toBeGreaterThan(0.8);
      expect(mid).toBeLessThan(3);
      const w = env.world;
      const cam = env.render('front', { depth: true, width: 32, height: 32 });
      // Depth of the centre pixel agrees with the distance along the optical axis to the hit point.
      expect(cam.depth![16 * 32 + 16]).toBeCloseTo(mid, 1);
      expect(w.time).toBe(0);
    } finally {
      env.dispose();
    }
  });

  it('IK through eeJacobian brings the end effector to a target', () => {
    const env = new SimEnv({ embodiment: 'arm6', cameras: [], maxSteps: 500 });
    try {
      env.reset({ seed: 0 });
      const start = env.world.eePose().pos;
      const goal: [number, number, number] = [start[0] + 0.12, start[1] - 0.1, start[2] - 0.06];
      let err = 1;
      for (let i = 0; i < 80; i++) {
        const ik = solveIk(env.world, { pos: goal });
        err = ik.posError;
        env.step(Float32Array.from(ik.targets));
      }
      const end = env.world.eePose().pos;
      expect(Math.hypot(end[0] - goal[0], end[1] - goal[1], end[2] - goal[2])).toBeLessThan(0.01);
      expect(err).toBeLessThan(0.01);
    } finally {
      env.dispose();
    }
  });
});
