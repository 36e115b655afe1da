import type { Vec3 } from '../scene.ts';

/**
 * Where a body can work: the table it stands at and the region of the table top (world x/y) that
 * its end effector reaches comfortably. One entry per embodiment; tasks place objects, bins and
 * fixtures inside `reach`. The table is centred on the world origin.
 */
export type Region =
  | { kind: 'rect'; x: [number, number]; y: [number, number] }
  /** Ring sector around (cx, cy): radius in [rMin, rMax], angle (from +x) in [aMin, aMax]. */
  | { kind: 'annulus'; cx: number; cy: number; rMin: number; rMax: number; aMin: number; aMax: number };

export interface Workspace {
  tableHeight: number;
  tableHalf: [number, number];
  reach: Region;
  /** Robot base pose (world). */
  base: { pos: Vec3; yaw: number };
  /** Half size of a bin's inner floor (m). */
  binInner: number;
  /** Size factor for graspable objects (small grippers get smaller objects). */
  objectScale: number;
  /** Object kinds this body's gripper can take (default all). */
  kinds?: readonly ('cube' | 'block' | 'cylinder' | 'ball' | 'can')[];
  /** Spawn objects yawed along the radial direction from the base (bodies that cannot turn the wrist). */
  alignYaw?: boolean;
  /** Mobile bases: where the base joints park to work at the table (base_x, base_y, base_yaw). */
  park?: [number, number, number];
}

/** True when the disc of radius `r` at (x, y) lies inside the region. */
export function inRegion(reg: Region, x: number, y: number, r = 0): boolean {
  if (reg.kind === 'rect')
    return x - r >= reg.x[0] && x + r <= reg.x[1] && y - r >= reg.y[0] && y + r <= reg.y[1];
  const dx = x - reg.cx;
  const dy = y - reg.cy;
  const d = Math.hypot(dx, dy);
  if (d - r < reg.rMin || d + r > reg.rMax) return false;
  const a = Math.atan2(dy, dx);
  const da = d > 1e-9 ? Math.asin(Math.min(1, r / d)) : Math.PI;
  return a - da >= reg.aMin && a + da <= reg.aMax;
}

/** Axis-aligned bounds of a region (for sampling). */
export function regionBounds(reg: Region): { x: [number, number]; y: [number, number] } {
  if (reg.kind === 'rect') return { x: reg.x, y: reg.y };
  const xs: number[] = [];
  const ys: number[] = [];
  for (const r of [reg.rMin, reg.rMax])
    for (let k = 0; k <= 16; k++) {
      const a = reg.aMin + ((reg.aMax - reg.aMin) * k) / 16;
      xs.push(reg.cx + r * Math.cos(a));
      ys.push(reg.cy + r * Math.sin(a));
    }
  return { x: [Math.min(...xs), Math.max(...xs)], y: [Math.min(...ys), Math.max(...ys)] };
}

const DEG = Math.PI / 180;

const ARM6: Workspace = {
  tableHeight: 0.75,
  tableHalf: [0.5, 0.6],
  reach: { kind: 'annulus', cx: -0.45, cy: 0, rMin: 0.24, rMax: 0.58, aMin: -62 * DEG, aMax: 62 * DEG },
  base: { pos: [-0.45, 0, 0.75], yaw: 0 },
  binInner: 0.075,
  objectScale: 1,
};

export const WORKSPACES: Record<string, Workspace> = {
  arm6: ARM6,
  arm4: {
    ...ARM6,
    reach: { kind: 'annulus', cx: -0.32, cy: 0, rMin: 0.13, rMax: 0.27, aMin: -75 * DEG, aMax: 75 * DEG },
    base: { pos: [-0.32, 0, 0.75], yaw: 0 },
    binInner: 0.045,
    objectScale: 0.62,
    kinds: ['cube', 'block', 'cylinder', 'ball'],
    alignYaw: true,
  },
  // Chassis parked with its front at the table edge: the arm's shoulder sits at x = -0.61.
  mobile: {
    ...ARM6,
    reach: { kind: 'annulus', cx: -0.61, cy: 0, rMin: 0.26, rMax: 0.56, aMin: -55 * DEG, aMax: 55 * DEG },
    base: { pos: [-1.2, 0, 0], yaw: 0 },
    park: [0.43, 0, 0],
  },
  humanoid: {
    ...ARM6,
    reach: { kind: 'rect', x: [-0.45, -0.27], y: [-0.4, 0.0] },
    base: { pos: [-0.72, 0, 0], yaw: 0 },
  },
  hand: {
    ...ARM6,
    reach: { kind: 'rect', x: [-0.32, 0.32], y: [-0.4, 0.4] },
    base: { pos: [0, 0, 0], yaw: 0 },
  },
};

export function workspaceFor(embodiment: string): Workspace {
  return WORKSPACES[embodiment] ?? ARM6;
}
