import type { Rng } from '../rng.ts';
import type { ObjectDesc, SceneDescription, Vec3 } from '../scene.ts';
import type { TaskBuildContext } from '../task.ts';
import { type EdgeCase, drawEdgeCases } from './edge-cases.ts';
import type { Goal } from './goals.ts';
import { type ParaphraseSet, makeInstruction } from './instructions.ts';
import {
  type Footprint,
  addDistractors,
  baseScene,
  makeBin,
  makeObject,
  objectWords,
  placeFree,
  shade,
} from './scene-kit.ts';
import { addRoom } from './room.ts';
import type { SuiteState } from './suite-state.ts';
import {
  COLORS,
  COLOR_NAMES,
  OBJECT_KINDS,
  type ObjectKind,
  footprintRadius,
  objectShape,
  restingHalfHeight,
} from './vocab.ts';
import { type Workspace, inRegion, workspaceFor } from './workspace.ts';

/** Everything a pick-and-place style task has drawn for one scene seed. */
export interface PlaceScene {
  scene: SceneDescription;
  ws: Workspace;
  used: Footprint[];
  state: SuiteState;
  /** Bin colour words by fixture name. */
  binColor: Record<string, string>;
}

export function paraphraseSet(options: Record<string, unknown>): ParaphraseSet {
  return options.paraphrases === 'heldout' ? 'heldout' : 'train';
}

/** Starts a scene: base look, `nBins` bins of distinct colours, empty state. */
export function startPlaceScene(
  ctx: TaskBuildContext,
  task: string,
  opts: { nBins: number; supported: readonly EdgeCase[]; ws?: Workspace },
): PlaceScene {
  const rng = ctx.rng;
  const edgeRng = rng.fork();
  const edgeCases = drawEdgeCases(ctx.options, opts.supported, edgeRng);
  const ws = opts.ws ?? workspaceFor(ctx.embodiment.name);
  const scene = baseScene(rng, ws);
  const room = ws.park ? addRoom(rng, scene) : undefined;
  const used: Footprint[] = [];
  const binColors = rng.shuffle(COLOR_NAMES.filter((c) => c !== 'black' && c !== 'white'));
  const binColor: Record<string, string> = {};
  for (let i = 0; i < opts.nBins; i++) {
    const name = `bin${i}`;
    const p = placeFree(rng, used, ws.reach, 0.02, 0.02);
    used[used.length - 1].r = ws.binInner + 0.025;
    binColor[name] = binColors[i];
    scene.fixtures.push(
      makeBin(name, p.x, p.y, ws.tableHeight, COLORS[binColors[i]], { color: binColors[i] }, ws.binInner),
    );
  }
  if (edgeCases.includes('damaged')) {
    const p = placeFree(rng, used, ws.reach, 0.02, 0.02);
    used[used.length - 1].r = ws.binInner + 0.025;
    binColor.reject = 'black';
    scene.fixtures.push(
      makeBin('reject', p.x, p.y, ws.tableHeight, COLORS.black, { color: 'black', reject: '1' }, ws.binInner),
    );
  }
  const state: SuiteState = {
    task,
    embodiment: ctx.embodiment.name,
    sceneSeed: ctx.sceneSeed,
    instruction: '',
    edgeCases,
    goals: [],
    mustStay: [],
    tableHeight: ws.tableHeight,
    asideSpots: [],
    extra: room ? { room } : {},
  };
  return { scene, ws, used, state, binColor };
}

/** Draws `n` graspable objects with distinct (colour, kind) pairs, avoiding the given colours. */
export function addTargets(
  ps: PlaceScene,
  rng: Rng,
  n: number,
  avoidColors: string[] = [],
  kinds: readonly ObjectKind[] = OBJECT_KINDS,
): ObjectDesc[] {
  const colors = rng.shuffle(COLOR_NAMES.filter((c) => !avoidColors.includes(c) && c !== 'black'));
  const out: ObjectDesc[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rng.choice(ps.ws.kinds ? kinds.filter((k) => ps.ws.kinds!.includes(k)) : kinds);
    const color = colors[i % colors.length];
    const probe = makeObject(
      rng,
      `o${i}`,
      kind,
      color,
      0,
      0,
      ps.ws.tableHeight,
      {},
      objectShape(kind, rng, ps.ws.objectScale),
    );
    let p: { x: number; y: number } | undefined;
    for (const gap of [0.04, 0.025, 0.012]) {
      try {
        p = placeFree(rng, ps.used, ps.ws.reach, footprintRadius(probe.shape) + 0.01, gap, 0.015);
        break;
      } catch (e) {
        if (gap === 0.012 && i === 0) throw e;
      }
    }
    if (!p) break; // crowded scene: fewer objects
    const o = makeObject(rng, `${color}_${kind}`, kind, color, p.x, p.y, ps.ws.tableHeight, {}, probe.shape);
    if (ps.ws.alignYaw && kind !== 'ball') {
      const yaw = Math.atan2(p.y - ps.ws.base.pos[1], p.x - ps.ws.base.pos[0]) + rng.uniform(-0.08, 0.08);
      o.quat = [Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)];
    }
    ps.scene.objects.push(o);
    out.push(o);
  }
  return out;
}

/**
 * Applies the drawn edge cases to a pick-and-place goal list: may add goals (phone first), change
 * the destination (damaged → reject bin), add a stuck duplicate, or arm the nudge/slip injectors.
 */
export function applyEdgeCases(
  ps: PlaceScene,
  rng: Rng,
  target: ObjectDesc,
  goals: Goal[],
  targetBin: string,
): Goal[] {
  const { scene, ws, state } = ps;
  const out = goals.slice();
  const restZ = ws.tableHeight + restingHalfHeight(target.shape);
  for (const e of state.edgeCases) {
    if (e === 'damaged') {
      target.rgba = shade(target.rgba, 0.45);
      target.tags = { ...target.tags, damaged: '1' };
      const g = out.find((x) => x.object === target.name);
      if (g) {
        g.dest = { kind: 'bin', bin: 'reject' };
        g.destWords = 'reject bin';
      }
    } else if (e === 'phone') {
      const bin = scene.fixtures.find((f) => f.name === targetBin)!;
      const yaw = ws.alignYaw
        ? Math.atan2(bin.pos[1] - ws.base.pos[1], bin.pos[0] - ws.base.pos[0])
        : rng.uniform(-0.4, 0.4);
      scene.objects.push({
        name: 'phone',
        shape: {
          type: 'box',
          halfSize: [0.045 * ws.objectScale, 0.024 * ws.objectScale, 0.007 * ws.objectScale],
        },
        pos: [
          bin.pos[0] + rng.uniform(-0.01, 0.01),
          bin.pos[1] + rng.uniform(-0.01, 0.01),
          bin.pos[2] + 0.006 + 0.0075 * ws.objectScale,
        ],
        quat: [Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)],
        rgba: [0.05, 0.05, 0.07, 1],
        mass: 0.08,
        friction: 1.2,
        tags: { kind: 'phone', color: 'black', distractor: '1' },
      });
      out.unshift({
        object: 'phone',
        dest: { kind: 'aside' },
        objectWords: 'phone',
        destWords: 'the table',
        mode: 'pick',
      });
      state.mustStay.push('phone');
    } else if (e === 'duplicate' && target.shape.type !== 'sphere') {
      const r = footprintRadius(target.shape);
      // Try directions until the copy's spot is free and in reach.
      for (let k = 0; k < 16; k++) {
        const a = rng.uniform(-Math.PI, Math.PI);
        const x = target.pos[0] + Math.cos(a) * (2 * r + 0.004);
        const y = target.pos[1] + Math.sin(a) * (2 * r + 0.004);
        const inReach = inRegion(ws.reach, x, y, r);
        const free = ps.used.every(
          (f) =>
            Math.hypot(f.x - target.pos[0], f.y - target.pos[1]) < 1e-6 ||
            Math.hypot(f.x - x, f.y - y) >= f.r + r + 0.02,
        );
        if (!inReach || !free) continue;
        ps.used.push({ x, y, r });
        const copy: ObjectDesc = {
          ...target,
          name: `${target.name}_2`,
          pos: [x, y, target.pos[2]],
          tags: { ...target.tags, copy: '1' },
        };
        scene.objects.push(copy);
        state.duplicate = { copy: copy.name, of: target.name, phase: 'armed', offset: [0, 0, 0], restZ };
        out.push({
          object: copy.name,
          dest: { kind: 'aside' },
          objectWords: objectWords(target),
          destWords: 'the table',
          mode: 'pick',
        });
        state.mustStay.push(copy.name);
        break;
      }
    } else if (e === 'nudge') {
      const a = bestDirection(ps, target.pos);
      const d = rng.uniform(0.03, 0.045) * ws.objectScale;
      state.nudge = { object: target.name, delta: [Math.cos(a) * d, Math.sin(a) * d, 0], done: false };
    } else if (e === 'slip') {
      state.slip = {
        object: target.name,
        liftZ: restZ + 0.05,
        phase: 'armed',
        until: 0,
        friction: target.friction ?? 1.2,
      };
    }
  }
  // A ball cannot be stuck to another (or no room for the copy): that episode has no duplicate.
  if (!state.duplicate) state.edgeCases = state.edgeCases.filter((x) => x !== 'duplicate');
  return out;
}

/** Direction (angle) from `p` with the most clearance to other footprints that stays in reach. */
function bestDirection(ps: PlaceScene, p: Vec3): number {
  let best = 0;
  let bestScore = -1;
  for (let k = 0; k < 12; k++) {
    const a = (k / 12) * 2 * Math.PI;
    const q = [p[0] + Math.cos(a) * 0.05, p[1] + Math.sin(a) * 0.05];
    if (!inRegion(ps.ws.reach, q[0], q[1], 0.02)) continue;
    let score = Number.POSITIVE_INFINITY;
    for (const f of ps.used) {
      if (Math.hypot(f.x - p[0], f.y - p[1]) < 1e-6) continue;
      score = Math.min(score, Math.hypot(f.x - q[0], f.y - q[1]) - f.r);
    }
    if (score > bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}

/** Reserves `n` free spots on the table where an expert may set things aside. */
export function reserveAsideSpots(ps: PlaceScene, rng: Rng, n: number): void {
  for (let i = 0; i < n; i++) {
    try {
      const p = placeFree(rng, ps.used, ps.ws.reach, 0.05, 0.02);
      ps.state.asideSpots.push([p.x, p.y]);
    } catch {
      break;
    }
  }
}

export function finishPlaceScene(
  ps: PlaceScene,
  rng: Rng,
  task: string,
  slots: Record<string, string>,
  options: Record<string, unknown>,
  avoid: string[],
  maxDistractors = 2,
): void {
  addDistractors(rng, ps.scene, ps.used, ps.ws, avoid, maxDistractors);
  ps.state.instruction = makeInstruction(task, slots, paraphraseSet(options), rng);
  for (const g of ps.state.goals) if (!ps.state.mustStay.includes(g.object)) ps.state.mustStay.push(g.object);
}

/** Mobile bases start somewhere near the table (base joints), so the expert first drives over. */
export function mobileStart(ps: PlaceScene, rng: Rng): Record<string, number> | undefined {
  if (!ps.ws.park) return undefined;
  return {
    base_x: rng.uniform(0.0, 0.2),
    base_y: rng.uniform(-0.35, 0.35),
    base_yaw: rng.uniform(-0.5, 0.5),
  };
}
