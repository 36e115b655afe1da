import { RobofmError } from '@robofm/core';
import type { TaskDefinition } from '../task.ts';
import { injectPhysics } from './injectors.ts';
import { finishPlaceScene, mobileStart, startPlaceScene } from './place-builder.ts';
import type { RoomLayout } from './room.ts';
import { makeObject } from './scene-kit.ts';
import { evaluateSuite } from './pick-place.ts';
import type { SuiteState } from './suite-state.ts';
import { COLOR_NAMES, objectShape } from './vocab.ts';

/** Chassis stand-off from a surface's front edge when working at it (m), as at the table. */
const STANDOFF = 0.27;

/**
 * Mobile fetch: the object waits on the far counter by the room's west wall; drive there (turning
 * around), pick it, bring it back to the table and put it in the bin.
 */
export const fetchTask: TaskDefinition<SuiteState> = {
  name: 'fetch',
  embodiments: ['mobile'],
  description: 'drive to another counter, pick, bring back, place in the bin',
  maxSteps: 700,
  build(ctx) {
    const rng = ctx.rng;
    const ps = startPlaceScene(ctx, 'fetch', { nBins: 1, supported: [] });
    const room = ps.state.extra.room as RoomLayout | undefined;
    if (!room) throw new RobofmError('task_embodiment', 'fetch needs a mobile base (room layout)');
    const c = room.counter;
    const binColor = ps.binColor.bin0;
    const color = rng.choice(COLOR_NAMES.filter((k) => k !== binColor && k !== 'black'));
    const kind = rng.choice(['cube', 'cylinder', 'can', 'block'] as const);
    const x = rng.uniform(c.front - 0.3, c.front - 0.21);
    const yr = Math.min(0.14, c.halfY - 0.06);
    const y = c.y + rng.uniform(-yr, yr);
    const obj = makeObject(rng, `${color}_${kind}`, kind, color, x, y, c.top, {}, objectShape(kind, rng));
    ps.scene.objects.push(obj);
    ps.state.goals = [
      {
        object: obj.name,
        dest: { kind: 'bin', bin: 'bin0' },
        objectWords: `${color} ${kind}`,
        destWords: `${binColor} bin`,
        mode: 'pick',
      },
    ];
    // Base-joint coordinates (the base frame sits at scene.robotBase, yaw 0).
    const bx = ps.ws.base.pos[0];
    ps.state.extra.fetchPark = [c.front + STANDOFF - bx, c.y, Math.PI];
    finishPlaceScene(
      ps,
      rng,
      'fetch',
      { object: `${color} ${kind}`, target: `${binColor} bin` },
      ctx.options,
      [color, binColor],
      1,
    );
    const initialJoints = mobileStart(ps, rng);
    return {
      scene: ps.scene,
      instruction: ps.state.instruction,
      state: ps.state,
      ...(initialJoints ? { initialJoints } : {}),
    };
  },
  onPhysicsStep: injectPhysics,
  evaluate: evaluateSuite,
};
