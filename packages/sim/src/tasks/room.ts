import type { Rng } from '../rng.ts';
import type { FixtureDesc, Rgba, SceneDescription } from '../scene.ts';
import { mutedColor } from './vocab.ts';

/**
 * Procedural "homes" for the mobile base: walls around a room of random size and colour, the work
 * table at the origin, and counters along the walls (one of them, the far counter, is where
 * `fetch` puts its object). The robot's base frame sits at (-1.2, 0).
 */
export interface RoomLayout {
  /** Far counter centre (x, y), its top height and the x of its front face (toward +x). */
  counter: { x: number; y: number; top: number; front: number; halfX: number; halfY: number };
}

const WALL_H = 0.5;

export function addRoom(rng: Rng, scene: SceneDescription): RoomLayout {
  const wallRgba: Rgba = mutedColor(rng, 0.55, 0.9);
  const xMin = rng.uniform(-3.3, -3.0);
  const xMax = rng.uniform(1.1, 1.6);
  const yHalf = rng.uniform(1.6, 2.2);
  const t = 0.05;
  const wall = (name: string, x: number, y: number, hx: number, hy: number): FixtureDesc => ({
    name,
    pos: [x, y, WALL_H],
    geoms: [{ shape: { type: 'box', halfSize: [hx, hy, WALL_H] }, rgba: wallRgba }],
    tags: { kind: 'wall' },
  });
  scene.fixtures.push(
    wall('wall_w', xMin - t, 0, t, yHalf + t),
    wall('wall_e', xMax + t, 0, t, yHalf + t),
    wall('wall_n', (xMin + xMax) / 2, yHalf + t, (xMax - xMin) / 2 + 2 * t, t),
    wall('wall_s', (xMin + xMax) / 2, -yHalf - t, (xMax - xMin) / 2 + 2 * t, t),
  );
  // Far counter against the west wall (behind the robot's start), facing +x.
  const halfX = 0.25;
  const halfY = rng.uniform(0.35, 0.5);
  const cy = rng.uniform(-yHalf + halfY + 0.3, yHalf - halfY - 0.3) * 0.6;
  const cx = xMin + halfX + 0.02;
  const top = 0.75;
  const counterRgba = mutedColor(rng, 0.3, 0.7);
  scene.fixtures.push({
    name: 'counter',
    pos: [cx, cy, top / 2],
    geoms: [{ shape: { type: 'box', halfSize: [halfX, halfY, top / 2] }, rgba: counterRgba }],
    tags: { kind: 'counter' },
  });
  // A second, decorative counter along the north or south wall.
  const side = rng.next() < 0.5 ? 1 : -1;
  scene.fixtures.push({
    name: 'sideboard',
    pos: [rng.uniform(xMin + 0.9, -1.4), side * (yHalf - 0.22), 0.4],
    geoms: [
      {
        shape: { type: 'box', halfSize: [rng.uniform(0.3, 0.5), 0.2, 0.4] },
        rgba: mutedColor(rng, 0.3, 0.7),
      },
    ],
    tags: { kind: 'counter' },
  });
  return { counter: { x: cx, y: cy, top, front: cx + halfX, halfX, halfY } };
}
