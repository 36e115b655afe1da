import { ValidationError, getEmbodiment } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import type { SimEnv } from '../env.ts';
import { makeRng } from '../rng.ts';
import { ScriptedExpert } from '../experts/scripted-expert.ts';
import { drawEdgeCases } from './edge-cases.ts';
import { GOAL_FOCUS_NAMES, goalFocus } from './goals.ts';
import { envWithState } from './testing.ts';
import { SUITE_TASKS, suitePairs } from './index.ts';
import { INSTRUCTION_TEMPLATES } from './instructions.ts';
import { HELDOUT_SEEDS, TRAIN_SEEDS, assertSeedIn, sceneSeed, seedSplit } from './seeds.ts';
import type { SuiteState } from './suite-state.ts';

function build(task: string, embodiment: string, seed: number, options: Record<string, unknown> = {}) {
  return SUITE_TASKS[task].build({
    embodiment: getEmbodiment(embodiment),
    sceneSeed: seed,
    rng: makeRng(seed),
    options,
  });
}

function holdStill(env: SimEnv, steps: number) {
  let r = env.step(Float32Array.from(env.world.jointTargets()));
  for (let i = 1; i < steps && !r.terminated; i++) r = env.step(Float32Array.from(env.world.jointTargets()));
  return r;
}

describe('seed splits', () => {
  it('train and held-out ranges are disjoint and checked', () => {
    expect(TRAIN_SEEDS.end).toBeLessThanOrEqual(HELDOUT_SEEDS.start);
    expect(seedSplit(sceneSeed('train', 5))).toBe('train');
    expect(seedSplit(sceneSeed('heldout', 0))).toBe('heldout');
    expect(sceneSeed('heldout', 0)).toBe(HELDOUT_SEEDS.start);
    expect(() => assertSeedIn('train', sceneSeed('heldout', 3))).toThrow(ValidationError);
    expect(() => sceneSeed('train', -1)).toThrow(/train seed index/);
    expect(() => seedSplit(HELDOUT_SEEDS.end)).toThrow(/sceneSeed/);
  });
});

describe('procedural scenes', () => {
  it('are deterministic per seed and vary across seeds', () => {
    for (const { task, embodiment } of suitePairs()) {
      const a = build(task, embodiment, 1234);
      const b = build(task, embodiment, 1234);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      const c = build(task, embodiment, 1235);
      expect(JSON.stringify(c.scene)).not.toBe(JSON.stringify(a.scene));
    }
  });
  it('build 200 scenes per task × embodiment without placement failures', () => {
    for (const { task, embodiment } of suitePairs())
      for (let s = 0; s < 200; s++)
        expect(() => build(task, embodiment, HELDOUT_SEEDS.start + s)).not.toThrow();
  });
  it('draw instructions from the requested paraphrase set only', () => {
    for (const [task, t] of Object.entries(INSTRUCTION_TEMPLATES)) {
      for (const p of t.heldout) expect(t.train).not.toContain(p);
      if (!SUITE_TASKS[task]) continue;
      const emb = SUITE_TASKS[task].embodiments[0];
      const held = new Set<string>();
      for (let s = 0; s < 30; s++)
        held.add((build(task, emb, s, { paraphrases: 'heldout' }).state as SuiteState).instruction);
      const heldStems = t.heldout.map((p) => p.split('{')[0]);
      for (const i of held) expect(heldStems.some((stem) => i.startsWith(stem))).toBe(true);
    }
  });
});

describe('edge cases', () => {
  it('rates, forcing and validation', () => {
    const rng = makeRng(1);
    expect(drawEdgeCases({ edgeCases: 'off' }, ['phone'], rng)).toEqual([]);
    expect(drawEdgeCases({ edgeCases: { phone: 1 } }, ['phone', 'nudge'], rng)).toEqual(['phone']);
    expect(drawEdgeCases({ edgeCase: 'nudge' }, ['phone', 'nudge'], rng)).toEqual(['nudge']);
    expect(() => drawEdgeCases({ edgeCase: 'teleport' }, ['phone'], rng)).toThrow(/edgeCase/);
    expect(() => drawEdgeCases({ edgeCases: { phone: 2 } }, ['phone'], rng)).toThrow(/rate/);
    let n = 0;
    for (let s = 0; s < 400; s++) n += drawEdgeCases({}, ['phone'], makeRng(s)).length;
    expect(n / 400).toBeGreaterThan(0.05);
    expect(n / 400).toBeLessThan(0.16);
  });
  it('each forced edge case shapes the plan', () => {
    const st = (e: string) => build('pick_place', 'arm6', 7, { edgeCase: e }).state as SuiteState;
    expect(st('damaged').goals[0].dest).toEqual({ kind: 'bin', bin: 'reject' });
    expect(st('phone').goals[0].object).toBe('phone');
    expect(st('duplicate').duplicate?.copy).toBeDefined();
    expect(st('nudge').nudge?.done).toBe(false);
    expect(st('slip').slip?.phase).toBe('armed');
  });
});

describe('success detectors (in MuJoCo)', () => {
  it('pick_place: in the right bin succeeds, wrong bin / floor fail', async () => {
    const { env, state } = await envWithState('pick_place', 'arm6', { edgeCases: 'off' });
    try {
      const seed = 11;
      env.reset({ seed });
      let r = holdStill(env, 3);
      expect(r.info.success).toBe(false);
      const goal = state().goals[0];
      const bin = env.world.scene.fixtures.find((f) => f.name === (goal.dest as { bin: string }).bin)!;
      env.world.setBodyPose(`obj_${goal.object}`, [bin.pos[0], bin.pos[1], bin.pos[2] + 0.06]);
      r = holdStill(env, 25);
      expect(r.info.success).toBe(true);
      env.reset({ seed });
      const other = env.world.scene.fixtures.find((f) => f.tags?.kind === 'bin' && f.name !== bin.name)!;
      env.world.setBodyPose(`obj_${goal.object}`, [other.pos[0], other.pos[1], other.pos[2] + 0.06]);
      r = holdStill(env, 25);
      expect(r.info.success).toBe(false);
      expect(r.info.unmet).toBe('wrong_bin');
      env.reset({ seed });
      env.world.setBodyPose(`obj_${goal.object}`, [0.2, 0.9, 0.1]);
      r = holdStill(env, 25);
      expect(r.terminated).toBe(true);
      expect(r.info.failure).toBe('object_on_floor');
    } finally {
      env.dispose();
    }
  });
  it('goalFocus: the named object and its bin, following the object; undefined without goals', async () => {
    const { env, state } = await envWithState('pick_place', 'arm6', { edgeCases: 'off' });
    try {
      env.reset({ seed: 12 });
      const goal = state().goals[0];
      const bin = env.world.scene.fixtures.find((f) => f.name === (goal.dest as { bin: string }).bin)!;
      const p = env.world.objectPose(goal.object).pos;
      const f0 = goalFocus(env.world, state().goals)!;
      expect(f0).toHaveLength(GOAL_FOCUS_NAMES.length);
      expect(f0.slice(0, 3)).toEqual([...p]);
      expect(f0.slice(3)).toEqual([...bin.pos]);
      env.world.setBodyPose(`obj_${goal.object}`, [bin.pos[0], bin.pos[1], bin.pos[2] + 0.06]);
      holdStill(env, 25);
      const f1 = goalFocus(env.world, state().goals)!; // met: still the (last) goal, now in its bin
      expect(Math.hypot(f1[0] - bin.pos[0], f1[1] - bin.pos[1])).toBeLessThan(0.03);
      expect(goalFocus(env.world, [])).toBeUndefined();
    } finally {
      env.dispose();
    }
  });
  it('SimEnv.project: the named object is drawn where its centre projects, and nowhere else', async () => {
    const { env, state } = await envWithState('pick_place', 'arm6', { edgeCases: 'off' });
    try {
      for (const seed of [12, 13, 14]) {
        env.reset({ seed });
        const name = state().goals[0].object;
        const p = env.world.objectPose(name).pos;
        const uv = env.project('front', [...p])!;
        const back = env.unproject('front', uv, p[2])!; // the round trip lands on the object
        expect(Math.hypot(back[0] - p[0], back[1] - p[1])).toBeLessThan(1e-9);
        expect(uv[0]).toBeGreaterThan(0);
        expect(uv[0]).toBeLessThan(1);
        expect(uv[1]).toBeGreaterThan(0);
        expect(uv[1]).toBeLessThan(1);
        const W = 96;
        const px = Math.floor(uv[0] * W);
        const py = Math.floor(uv[1] * W);
        const before = env.render('front', { cache: false }).rgb;
        env.world.setBodyPose(`obj_${name}`, [p[0] + 5, p[1] + 5, p[2]]); // far off the table
        const after = env.render('front', { cache: false }).rgb;
        const diff = (x: number, y: number) =>
          [0, 1, 2].reduce(
            (s, c) => s + Math.abs(before[(y * W + x) * 3 + c] - after[(y * W + x) * 3 + c]),
            0,
          );
        expect(diff(px, py)).toBeGreaterThan(0); // the object covered the projected pixel
        // It covered nothing farther than 10 px from there.
        for (let y = 0; y < W; y++)
          for (let x = 0; x < W; x++) if (Math.hypot(x - px, y - py) > 10) expect(diff(x, y)).toBe(0);
      }
      expect(() => env.project('nope', [0, 0, 0])).toThrow(/camera/);
      const cam = env.world.data.cam_xpos as Float64Array;
      expect(env.project('front', [cam[0] + 0.01, cam[1], cam[2] + 0.01])).toBeUndefined(); // level with the camera, beside it: behind the image plane
    } finally {
      env.dispose();
    }
  });
  it('duplicate: both copies in the bin is a failure, one is a success', async () => {
    const { env, state } = await envWithState('pick_place', 'arm6', { edgeCase: 'duplicate' });
    try {
      env.reset({ seed: 21 });
      const s = state();
      const bin = env.world.scene.fixtures.find((f) => f.name === 'bin0')!;
      env.world.setBodyPose(`obj_${s.duplicate!.copy}`, [bin.pos[0], bin.pos[1], bin.pos[2] + 0.06]);
      let r = holdStill(env, 25);
      expect(r.info.success).toBe(true); // either copy may be the one in the bin
      env.reset({ seed: 21 });
      state().duplicate!.phase = 'released'; // detector test: no sticking
      env.world.setBodyPose(`obj_${s.duplicate!.copy}`, [
        bin.pos[0] - 0.035,
        bin.pos[1] - 0.035,
        bin.pos[2] + 0.05,
      ]);
      env.world.setBodyPose(`obj_${s.duplicate!.of}`, [
        bin.pos[0] + 0.035,
        bin.pos[1] + 0.035,
        bin.pos[2] + 0.05,
      ]);
      r = holdStill(env, 25);
      expect(r.info.success).toBe(false);
      expect(r.info.unmet).toBe('extra_in_bin');
    } finally {
      env.dispose();
    }
  });
  it('handover: the bin alone is not enough, both hands must have held it', async () => {
    const { env, state } = await envWithState('handover', 'bimanual', { edgeCases: 'off' });
    try {
      env.reset({ seed: 5 });
      const bin = env.world.scene.fixtures.find((f) => f.name === 'bin0')!;
      env.world.setBodyPose(`obj_${state().goals[0].object}`, [bin.pos[0], bin.pos[1], bin.pos[2] + 0.06]);
      const r = holdStill(env, 25);
      expect(r.info.success).toBe(false);
      expect(r.info.unmet).toBe('no_handover');
    } finally {
      env.dispose();
    }
  });
  it('button: pressing another button fails, the named one succeeds', async () => {
    const { env, state } = await envWithState('button', 'arm6');
    try {
      env.reset({ seed: 3 });
      const s = state();
      const wrong = (s.extra.buttons as string[])[1];
      const ex = new ScriptedExpert(env.world, { ...s, extra: { ...s.extra, target: wrong } });
      let r = env.step(ex.act().action);
      while (!r.terminated && !r.truncated) r = env.step(ex.act().action);
      expect(r.info.failure).toBe('wrong_button');
      env.reset({ seed: 3 });
      r = holdStill(env, 5);
      expect(r.info.unmet).toBe('not_pressed');
      const good = new ScriptedExpert(env.world, state());
      while (!r.terminated && !r.truncated) r = env.step(good.act().action);
      expect(r.info.success).toBe(true);
    } finally {
      env.dispose();
    }
  });
  it('push: the object on the marked spot succeeds, elsewhere it does not', async () => {
    const { env, state } = await envWithState('push', 'arm6');
    try {
      env.reset({ seed: 8 });
      let r = holdStill(env, 3);
      expect(r.info.unmet).toBe('not_on_target');
      const g = state().goals[0];
      const z = (g.dest as { pos: [number, number, number] }).pos;
      const p = env.world.objectPose(g.object);
      env.world.setBodyPose(`obj_${g.object}`, [z[0] + 0.01, z[1], p.pos[2] + 0.001], p.quat);
      r = holdStill(env, 20);
      expect(r.info.success).toBe(true);
    } finally {
      env.dispose();
    }
  });
  it('drawer: holding still is not enough, the expert opens/closes it', async () => {
    const { env, state } = await envWithState('drawer', 'arm6');
    try {
      for (const seed of [1, 2]) {
        env.reset({ seed });
        let r = holdStill(env, 3);
        expect(r.info.success).toBe(false);
        expect(String(r.info.unmet)).toMatch(/^drawer_not_(open|closed)$/);
        const ex = new ScriptedExpert(env.world, state());
        while (!r.terminated && !r.truncated) r = env.step(ex.act().action);
        expect(r.info.success).toBe(true);
      }
    } finally {
      env.dispose();
    }
  });
});
