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
}

/** True when the disc of radius `r` at (x, y) lies inside the region. */
export function inRegion(reg: Region, x: number, y: number, r = 0): boolean {
  if (reg.kind === 'rect') return x - r >= reg.x[0] && x + r <= reg.x[1] && y - r >= reg.y[0] && y + r <= reg.y[1];
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
};

export const WORKSPACES: Record<string, Workspace> = {
  arm6: ARM6,
  arm4: { ...ARM6, reach: { ...(ARM6.reach as Extract<Region, { kind: 'annulus' }>), rMin: 0.16, rMax: 0.34 } },
  mobile: ARM6,
  bimanual: ARM6,
  humanoid: ARM6,
  hand: { ...ARM6, reach: { kind: 'rect', x: [-0.3, 0.3], y: [-0.35, 0.35] } },
};

export function workspaceFor(embodiment: string): Workspace {
  return WORKSPACES[embodiment] ?? ARM6;
}
