import { encodePng } from '@robofm/core';
import type { SimEnv } from './env.ts';

/**
 * Every camera of `env` (current state) side by side as one PNG, `size`×`size` per camera;
 * `extra` cameras of the model (e.g. the third-person `overview`) come first.
 */
export function snapshotPng(
  env: SimEnv,
  size = 256,
  gap = 4,
  extra: string[] = [],
): { png: Uint8Array; width: number; height: number } {
  const cams = [...extra, ...env.spec.cameras.map((c) => c.name)];
  const width = cams.length * size + (cams.length - 1) * gap;
  const height = size;
  const out = new Uint8Array(width * height * 3).fill(255);
  for (const [k, name] of cams.entries()) {
    const { rgb } = env.render(name, { width: size, height: size });
    const x0 = k * (size + gap);
    for (let y = 0; y < size; y++)
      out.set(rgb.subarray(y * size * 3, (y + 1) * size * 3), (y * width + x0) * 3);
  }
  return { png: encodePng(out, width, height), width, height };
}
