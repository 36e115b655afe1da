import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '@robofm/core';
import { createSuiteEnv } from './suite-env.ts';
import { sceneSeed } from './suite.ts';

/**
 * Renders `n` procedural scenes of a task × embodiment side by side (one camera, `size`² each) and
 * writes them as one PNG — the pictures of scene variety in docs/img.
 */
export async function renderSceneStrip(o: {
  task: string;
  embodiment: string;
  camera: string;
  seeds: number[];
  size?: number;
  out: string;
}): Promise<string> {
  const size = o.size ?? 192;
  const se = await createSuiteEnv({ task: o.task, embodiment: o.embodiment, cameras: [] });
  try {
    const w = size * o.seeds.length + 4 * (o.seeds.length - 1);
    const img = new Uint8Array(w * size * 3).fill(255);
    o.seeds.forEach((seed, k) => {
      se.env.reset({ seed });
      const { rgb } = se.env.render(o.camera, { width: size, height: size });
      const x0 = k * (size + 4);
      for (let y = 0; y < size; y++)
        img.set(rgb.subarray(y * size * 3, (y + 1) * size * 3), (y * w + x0) * 3);
    });
    mkdirSync(join(o.out, '..'), { recursive: true });
    writeFileSync(o.out, encodePng(img, w, size, 3));
    return o.out;
  } finally {
    se.env.dispose();
  }
}

/** The default gallery: four held-out scenes of each task on a representative body. */
export async function writeSceneGallery(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const items: Array<[string, string, string]> = [
    ['pick_place', 'arm6', 'front'],
    ['pick_place', 'mobile', 'head'],
    ['handover', 'bimanual', 'cam_high'],
    ['stack', 'hand', 'front'],
    ['clear_table', 'arm6', 'front'],
    ['push', 'arm6', 'front'],
    ['drawer', 'arm6', 'front'],
    ['button', 'arm4', 'front'],
    ['fetch', 'mobile', 'head'],
  ];
  const seeds = [0, 1, 2, 3].map((i) => sceneSeed('heldout', i));
  const out: string[] = [];
  for (const [task, emb, cam] of items)
    out.push(
      await renderSceneStrip({
        task,
        embodiment: emb,
        camera: cam,
        seeds,
        out: join(dir, `scene-${task}-${emb}.png`),
      }),
    );
  return out;
}
