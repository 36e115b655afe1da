import { RobofmError } from '@robofm/core';
import type { Rng } from '../rng.ts';
import type {
  FixtureDesc,
  LightDesc,
  ObjectDesc,
  Rgba,
  SceneDescription,
  ShapeDesc,
  Vec3,
} from '../scene.ts';
import {
  COLORS,
  type ObjectKind,
  footprintRadius,
  mutedColor,
  objectShape,
  restingHalfHeight,
} from './vocab.ts';
import { type Region, type Workspace, inRegion, regionBounds } from './workspace.ts';

/** Procedural building blocks shared by every task: table, floor, lights, bins, free placement. */

export const BIN_INNER = 0.075; // half size of a bin's inner floor (m)
export const BIN_WALL_H = 0.045; // wall height above the bin floor (m)
const BIN_WALL_T = 0.006;

/** Table, floor, lights and camera jitter drawn from the scene rng. */
export function baseScene(rng: Rng, ws: Workspace): SceneDescription {
  const tableRgba = mutedColor(rng, 0.45, 0.85);
  const floorRgba = mutedColor(rng, 0.25, 0.6);
  const nLights = 1 + rng.int(3);
  const lights: LightDesc[] = [];
  for (let i = 0; i < nLights; i++) {
    const az = rng.uniform(-Math.PI, Math.PI);
    const el = rng.uniform(0.7, 1.3);
    const dir: Vec3 = [-Math.cos(az) * Math.cos(el), -Math.sin(az) * Math.cos(el), -Math.sin(el)];
    lights.push({
      pos: [-dir[0] * 2, -dir[1] * 2, 2],
      dir,
      diffuse: rng.uniform(0.35, 0.75) / Math.sqrt(nLights),
    });
  }
  return {
    table: {
      size: [ws.tableHalf[0] * 2, ws.tableHalf[1] * 2],
      height: ws.tableHeight,
      rgba: tableRgba,
      ...(rng.next() < 0.4 ? { checker: shade(tableRgba, rng.uniform(0.75, 0.9)) } : {}),
    },
    floor: {
      rgba: floorRgba,
      ...(rng.next() < 0.6 ? { checker: shade(floorRgba, rng.uniform(0.6, 0.85)) } : {}),
    },
    objects: [],
    fixtures: [],
    lights,
    ambient: rng.uniform(0.25, 0.45),
    cameraJitter: {
      pos: [rng.uniform(-0.015, 0.015), rng.uniform(-0.015, 0.015), rng.uniform(-0.015, 0.015)],
      rot: [rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03)],
    },
    robotBase: { pos: [...ws.base.pos] as Vec3, yaw: ws.base.yaw },
  };
}

export function shade(c: Rgba, k: number): Rgba {
  return [c[0] * k, c[1] * k, c[2] * k, c[3]];
}

/** An open box (floor + 4 walls) standing on a surface at height `z`. Fixture `fix_<name>`. */
export function makeBin(
  name: string,
  x: number,
  y: number,
  z: number,
  rgba: Rgba,
  tags: Record<string, string> = {},
  inner = BIN_INNER,
): FixtureDesc {
  const h = BIN_WALL_H / 2;
  const o = inner + BIN_WALL_T;
  const wall = (pos: Vec3, half: Vec3) => ({
    shape: { type: 'box', halfSize: half } as ShapeDesc,
    pos,
    rgba,
  });
  return {
    name,
    pos: [x, y, z],
    geoms: [
      wall([0, 0, 0.003], [o, o, 0.003]),
      wall([o, 0, h], [BIN_WALL_T, o, h]),
      wall([-o, 0, h], [BIN_WALL_T, o, h]),
      wall([0, o, h], [o, BIN_WALL_T, h]),
      wall([0, -o, h], [o, BIN_WALL_T, h]),
    ],
    tags: { kind: 'bin', inner: String(inner), ...tags },
  };
}

/** Circles already used on a surface (for non-overlapping placement). */
export type Footprint = { x: number; y: number; r: number };

/** Samples a point in `region` whose circle of radius `r` clears every footprint by `gap`. */
export function placeFree(
  rng: Rng,
  used: Footprint[],
  region: Region,
  r: number,
  gap = 0.03,
  inset = r,
): { x: number; y: number } {
  const b = regionBounds(region);
  for (let tries = 0; tries < 600; tries++) {
    const x = rng.uniform(b.x[0], b.x[1]);
    const y = rng.uniform(b.y[0], b.y[1]);
    if (!inRegion(region, x, y, inset)) continue;
    if (used.every((f) => Math.hypot(f.x - x, f.y - y) >= f.r + r + gap)) {
      used.push({ x, y, r });
      return { x, y };
    }
  }
  throw new RobofmError(
    'scene_placement_failed',
    `no free spot of radius ${r} in ${JSON.stringify(region)} after 600 tries`,
  );
}

/** A graspable object of `kind`/`color` resting on a surface at height `z`, yawed randomly. */
export function makeObject(
  rng: Rng,
  name: string,
  kind: ObjectKind,
  color: string,
  x: number,
  y: number,
  z: number,
  tags: Record<string, string> = {},
  shape?: ShapeDesc,
): ObjectDesc {
  const s = shape ?? objectShape(kind, rng);
  const yaw = kind === 'ball' || s.type === 'cylinder' ? 0 : rng.uniform(-0.6, 0.6);
  return {
    name,
    shape: s,
    pos: [x, y, z + restingHalfHeight(s) + 0.0005],
    quat: [Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)],
    rgba: COLORS[color] ?? [0.5, 0.5, 0.5, 1],
    mass: 0.05,
    friction: 1.2,
    tags: { color, kind, ...tags },
  };
}

export function objectRadius(o: ObjectDesc): number {
  return footprintRadius(o.shape);
}

/** Rough instruction name for an object: "red cube". */
export function objectWords(o: ObjectDesc): string {
  return `${o.tags?.color ?? ''} ${o.tags?.kind ?? 'object'}`.trim();
}

/** Adds 0..max small distractor objects in colours not in `avoid`, tagged `distractor`. */
export function addDistractors(
  rng: Rng,
  scene: SceneDescription,
  used: Footprint[],
  ws: Workspace,
  avoid: string[],
  max: number,
): void {
  const n = rng.int(max + 1);
  const colors = Object.keys(COLORS).filter((c) => !avoid.includes(c));
  for (let i = 0; i < n; i++) {
    const kind = rng.choice(['cylinder', 'ball', 'block'] as const);
    const shape = objectShape(kind, rng, 0.8);
    let p: { x: number; y: number };
    try {
      p = placeFree(rng, used, ws.reach, footprintRadius(shape), 0.04);
    } catch {
      return;
    }
    scene.objects.push(
      makeObject(
        rng,
        `distractor${i}`,
        kind,
        rng.choice(colors),
        p.x,
        p.y,
        ws.tableHeight,
        { distractor: '1' },
        shape,
      ),
    );
  }
}
