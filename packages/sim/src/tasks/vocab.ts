import type { Rgba, ShapeDesc } from '../scene.ts';
import type { Rng } from '../rng.ts';

/** Named colours used in instructions; kept far apart so "red" vs "orange" is visible at 96². */
export const COLORS: Record<string, Rgba> = {
  red: [0.85, 0.12, 0.1, 1],
  green: [0.12, 0.7, 0.2, 1],
  blue: [0.12, 0.25, 0.85, 1],
  yellow: [0.92, 0.85, 0.1, 1],
  purple: [0.55, 0.15, 0.7, 1],
  orange: [0.95, 0.5, 0.05, 1],
  white: [0.92, 0.92, 0.92, 1],
  black: [0.08, 0.08, 0.08, 1],
};
export const COLOR_NAMES = Object.keys(COLORS);

/** Graspable object kinds and their size ranges (metres). All fit a ~8 cm gripper opening. */
export const OBJECT_KINDS = ['cube', 'block', 'cylinder', 'ball', 'can'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export function objectShape(kind: ObjectKind, rng: Rng, scale = 1): ShapeDesc {
  const s = scale;
  switch (kind) {
    case 'cube': {
      const h = rng.uniform(0.02, 0.026) * s;
      return { type: 'box', halfSize: [h, h, h] };
    }
    case 'block':
      return {
        type: 'box',
        halfSize: [
          rng.uniform(0.018, 0.024) * s,
          rng.uniform(0.026, 0.034) * s,
          rng.uniform(0.018, 0.022) * s,
        ],
      };
    case 'cylinder':
      return {
        type: 'cylinder',
        radius: rng.uniform(0.018, 0.024) * s,
        halfHeight: rng.uniform(0.022, 0.03) * s,
      };
    case 'ball':
      return { type: 'sphere', radius: rng.uniform(0.022, 0.027) * s };
    case 'can':
      return {
        type: 'cylinder',
        radius: rng.uniform(0.02, 0.025) * s,
        halfHeight: rng.uniform(0.03, 0.038) * s,
      };
  }
}

/** Half height of a shape resting upright (for placing it on a surface). */
export function restingHalfHeight(shape: ShapeDesc): number {
  switch (shape.type) {
    case 'box':
      return shape.halfSize[2];
    case 'sphere':
      return shape.radius;
    case 'cylinder':
      return shape.halfHeight;
    case 'capsule':
      return shape.halfHeight + shape.radius;
  }
}

/** Horizontal footprint radius (bounding circle) of a shape. */
export function footprintRadius(shape: ShapeDesc): number {
  switch (shape.type) {
    case 'box':
      return Math.hypot(shape.halfSize[0], shape.halfSize[1]);
    case 'sphere':
      return shape.radius;
    case 'cylinder':
    case 'capsule':
      return shape.radius;
  }
}

/** A muted random colour for tables, floors, walls (never one of the instruction colours' hues at full saturation). */
export function mutedColor(rng: Rng, lo = 0.35, hi = 0.8): Rgba {
  const base = rng.uniform(lo, hi);
  return [
    base + rng.uniform(-0.08, 0.08),
    base + rng.uniform(-0.08, 0.08),
    base + rng.uniform(-0.08, 0.08),
    1,
  ].map((v, i) => (i === 3 ? 1 : Math.min(1, Math.max(0, v)))) as Rgba;
}
