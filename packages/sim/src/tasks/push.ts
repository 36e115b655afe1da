import { RobofmError } from '@robofm/core';
import type { TaskDefinition } from '../task.ts';
import { injectPhysics } from './injectors.ts';
import { addTargets, finishPlaceScene, startPlaceScene } from './place-builder.ts';
import { evaluateSuite } from './pick-place.ts';
import { objectWords } from './scene-kit.ts';
import type { SuiteState } from './suite-state.ts';
import { COLORS, COLOR_NAMES } from './vocab.ts';
import { inRegion } from './workspace.ts';

export const ZONE_RADIUS = 0.045;

/** "push the {object} onto the {color} target": slide an object (no lifting) onto a marked disc. */
export const push: TaskDefinition<SuiteState> = {
  name: 'push',
  embodiments: ['arm6', 'hand'],
  description: 'push an object onto a marked target',
  maxSteps: 400,
  build(ctx) {
    const rng = ctx.rng;
    const ps = startPlaceScene(ctx, 'push', { nBins: 0, supported: [] });
    const zoneColor = rng.choice(COLOR_NAMES.filter((c) => c !== 'black'));
    const [obj, ...rest] = addTargets(ps, rng, 1 + rng.int(2), [zoneColor], ['cube', 'block', 'cylinder']);
    // The marked spot: 12–20 cm from the object, inside reach, clear of everything else.
    let zone: { x: number; y: number } | undefined;
    for (let k = 0; k < 150 && !zone; k++) {
      const a = rng.uniform(-Math.PI, Math.PI);
      const d = rng.uniform(0.12, 0.2);
      const x = obj.pos[0] + Math.cos(a) * d;
      const y = obj.pos[1] + Math.sin(a) * d;
      const clear = ps.used.every((f) => Math.hypot(f.x - x, f.y - y) >= f.r + ZONE_RADIUS + 0.01);
      if (!clear || !inRegion(ps.ws.reach, x, y, 0.07)) continue;
      // The pushing hand starts behind the object: that spot must be clear too.
      const bx = obj.pos[0] - Math.cos(a) * 0.07;
      const by = obj.pos[1] - Math.sin(a) * 0.07;
      const behindClear = ps.used.every(
        (f) =>
          Math.hypot(f.x - obj.pos[0], f.y - obj.pos[1]) < 1e-6 ||
          Math.hypot(f.x - bx, f.y - by) >= f.r + 0.03,
      );
      if (inRegion(ps.ws.reach, bx, by, 0) && behindClear) zone = { x, y };
    }
    // No clear line to a spot: the suite re-draws this scene from a derived stream.
    if (!zone)
      throw new RobofmError('scene_placement_failed', 'push: no reachable target spot for the object');
    ps.used.push({ x: zone.x, y: zone.y, r: ZONE_RADIUS });
    ps.scene.fixtures.push({
      name: 'target',
      pos: [zone.x, zone.y, ps.ws.tableHeight + 0.0008],
      geoms: [
        {
          shape: { type: 'cylinder', radius: ZONE_RADIUS, halfHeight: 0.0008 },
          rgba: COLORS[zoneColor],
          contact: false,
        },
      ],
      tags: { kind: 'zone', color: zoneColor },
    });
    ps.state.goals = [
      {
        object: obj.name,
        dest: { kind: 'zone', pos: [zone.x, zone.y, ps.ws.tableHeight], radius: ZONE_RADIUS },
        objectWords: objectWords(obj),
        destWords: `${zoneColor} target`,
        mode: 'push',
      },
    ];
    finishPlaceScene(
      ps,
      rng,
      'push',
      { object: objectWords(obj), target: `${zoneColor} target` },
      ctx.options,
      [obj.tags!.color, zoneColor, ...rest.map((o) => o.tags!.color)],
      1,
    );
    return { scene: ps.scene, instruction: ps.state.instruction, state: ps.state };
  },
  onPhysicsStep: injectPhysics,
  evaluate: evaluateSuite,
};
