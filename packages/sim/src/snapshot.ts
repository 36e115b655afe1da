import { encodePng } from '@robofm/core';
import type { SimEnv } from './env.ts';

/** Every camera of `env` (current state) side by side as one PNG, `size`×`size` per camera. */
export function snapshotPng(
  env: SimEnv,
  size = 256,
  gap = 4,
): { png: Uint8Array; width: number; height: number } {
  const cams = env.spec.cameras;
  const width = cams.length * size + (cams.length - 1) * gap;
  const height = size;
  const out = new Uint8Array(width * height * 3).fill(255);
  cams.forEach((c, k) => {
    const { rgb } = env.render(c.name, { width: size, height: size });
    const x0 = k * (size + gap);
    for (let y = 0; y < size; y++)
      out.set(rgb.subarray(y * size * 3, (y + 1) * size * 3), (y * width + x0) * 3);
  });
  return { png: encodePng(out, width, height), width, height };
}
