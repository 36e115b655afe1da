import { arm6Spec, getEmbodiment, ValidationError } from '@robofm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchXml, findTestspeed } from './bench.ts';
import { defaultScene } from './default-scene.ts';
import { buildMjcf } from './mjcf.ts';
import { compileMjcf, deleteModel, liveHandles, loadMujocoModule } from './mujoco.ts';
import { makeRng } from './rng.ts';
import { getRobot, robotNames } from './robots/index.ts';
import { validateRobot } from './robots/description.ts';
import type { SceneDescription } from './scene.ts';

beforeAll(async () => {
  await loadMujocoModule();
});

const base = (): SceneDescription => defaultScene('arm6', makeRng(0));

function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e.field;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('MJCF generation', () => {
  it('compiles for every body over many scene seeds, with a compact memory budget', () => {
    for (const name of robotNames()) {
      for (let seed = 0; seed < 5; seed++) {
        const { xml } = buildMjcf(getRobot(name), getEmbodiment(name), defaultScene(name, makeRng(seed)));
        expect(xml).toMatch(/<size memory="\d+K"\/>/);
        const m = compileMjcf(xml);
        expect(m.nu).toBeGreaterThan(0);
        deleteModel(m);
      }
    }
  });

  it('names the bad field of a scene', () => {
    const robot = getRobot('arm6');
    const s1 = base();
    s1.objects[0].pos = [0, Number.NaN, 1];
    expect(fieldOf(() => buildMjcf(robot, arm6Spec, s1))).toBe('scene.objects[0].pos');
    const s2 = base();
    s2.objects[1].name = s2.objects[0].name;
    expect(fieldOf(() => buildMjcf(robot, arm6Spec, s2))).toBe('scene.objects[1].name');
    const s3 = base();
    s3.objects[0].shape = { type: 'sphere', radius: -1 };
    expect(fieldOf(() => buildMjcf(robot, arm6Spec, s3))).toBe('scene.objects[0].shape.radius');
    const s4 = base();
    s4.objects[0].name = 'bad name"';
    expect(fieldOf(() => buildMjcf(robot, arm6Spec, s4))).toBe('scene.objects[0].name');
    const s5 = base();
    s5.fixtures.push({
      name: 'drawer',
      pos: [0, 0, 0.5],
      geoms: [],
      joint: { type: 'slide', axis: [1, 0, 0], range: [0, 0.2] },
    });
    expect(fieldOf(() => buildMjcf(robot, arm6Spec, s5))).toBe('scene.fixtures[0].geoms');
    const s6 = base();
    s6.fixtures.push({
      name: 'drawer',
      pos: [0, 0, 0.5],
      geoms: [{ shape: { type: 'box', halfSize: [0.1, 0.1, 0.05] }, rgba: [1, 1, 1, 1] }],
      joint: { type: 'slide', axis: [1, 0, 0], range: [0.2, 0] },
    });
    expect(fieldOf(() => buildMjcf(robot, arm6Spec, s6))).toBe('scene.fixtures[0].joint.range');
  });

  it('a jointed fixture with sites compiles and its joint is readable', () => {
    const s = base();
    s.fixtures.push({
      name: 'drawer',
      pos: [0.3, 0, 0.6],
      geoms: [{ shape: { type: 'box', halfSize: [0.1, 0.15, 0.05] }, rgba: [0.6, 0.5, 0.4, 1], name: 'box' }],
      joint: { type: 'slide', axis: [1, 0, 0], range: [0, 0.2], damping: 2 },
      sites: [{ name: 'handle', pos: [0.1, 0, 0] }],
    });
    const { xml } = buildMjcf(getRobot('arm6'), arm6Spec, s);
    expect(xml).toContain('name="fix_drawer_joint"');
    expect(xml).toContain('name="fix_drawer_handle"');
    expect(xml).toContain('name="fix_drawer_box"');
    const before = liveHandles().models;
    const m = compileMjcf(xml);
    expect(liveHandles().models).toBe(before + 1);
    deleteModel(m);
    expect(liveHandles().models).toBe(before);
  });

  it('rejects robot descriptions that disagree with their spec', () => {
    const r = getRobot('arm6');
    expect(() => validateRobot({ ...r, eeSites: ['nope'] }, arm6Spec)).toThrow(/eeSites/);
    expect(() => validateRobot({ ...r, home: { wrist_9: 1 } }, arm6Spec)).toThrow(/home.wrist_9/);
    const spec = { ...arm6Spec, joints: [...arm6Spec.joints, { ...arm6Spec.joints[0], name: 'extra' }] };
    expect(() => validateRobot(r, spec)).toThrow(/extra/);
    expect(() =>
      validateRobot(r, { ...arm6Spec, cameras: [{ name: 'top', width: 96, height: 96 }] }),
    ).toThrow(/top/);
  });

  it('camera jitter moves every camera; the benchmark XML compiles', () => {
    const plain = buildMjcf(getRobot('bimanual'), getEmbodiment('bimanual'), base()).xml;
    const jittered = buildMjcf(getRobot('bimanual'), getEmbodiment('bimanual'), {
      ...base(),
      cameraJitter: { pos: [0.01, -0.02, 0.005], rot: [0.02, 0, -0.01] },
    }).xml;
    // The policy's cameras (the third-person `overview` camera is not jittered).
    const cams = (x: string) => (x.match(/<camera [^>]*>/g) ?? []).filter((c) => !c.includes('"overview"'));
    expect(cams(plain)).toHaveLength(4);
    for (const [i, c] of cams(plain).entries()) expect(cams(jittered)[i]).not.toBe(c);
    const m = compileMjcf(benchXml());
    expect(m.nu).toBe(7);
    deleteModel(m);
    expect(benchXml()).not.toContain('memory=');
    expect(findTestspeed(null)).toBeNull();
  });

  it('an invalid model raises a RobofmError, and the module keeps working', () => {
    expect(() => compileMjcf('<mujoco><worldbody><geom type="nonsense"/></worldbody></mujoco>')).toThrow(
      /mjcf_invalid|rejected/,
    );
    const m = compileMjcf('<mujoco><worldbody><geom type="sphere" size="1"/></worldbody></mujoco>');
    expect(m.ngeom).toBe(1);
    deleteModel(m);
  });
});
