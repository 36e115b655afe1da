import type { EmbodimentSpec } from '@robofm/core';
import { DatasetWriter } from './dataset-writer.ts';
import { featuresFromEmbodiment } from './features.ts';

/**
 * Synthetic datasets for tests and benchmarks: deterministic values that encode (episode, frame)
 * so a reader can check exactly what it got back.
 */
export function syntheticEmbodiment(
  name: string,
  opts: { state?: number; action?: number; cameras?: { name: string; width: number; height: number }[] } = {},
): EmbodimentSpec {
  const state = opts.state ?? 4;
  const action = opts.action ?? 3;
  return {
    name,
    robotType: name,
    joints: Array.from({ length: action }, (_, i) => ({
      name: `j${i}`,
      kind: 'hinge' as const,
      lower: -3,
      upper: 3,
      maxVelocity: 2,
      maxTorque: 10,
      kp: 50,
      kd: 2,
    })),
    stateNames: Array.from({ length: state }, (_, i) => `s${i}`),
    actionNames: Array.from({ length: action }, (_, i) => `a${i}`),
    cameras: opts.cameras ?? [{ name: 'top', width: 64, height: 64 }],
    controlHz: 10,
    physicsHz: 100,
  };
}

/** State value j of frame t in episode e (exactly representable in float32). */
export function stateValue(e: number, t: number, j: number): number {
  return e * 100 + t + j / 8;
}
export function actionValue(e: number, t: number, j: number): number {
  return -(e * 100 + t) - j / 4;
}
/** Camera frame: a flat colour that changes with t (survives lossy coding), plus a gradient. */
export function syntheticImage(e: number, t: number, cam: number, w: number, h: number): Uint8Array {
  const img = new Uint8Array(w * h * 3);
  const base = (t * 9 + e * 37 + cam * 71) % 200;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3;
      img[p] = base;
      img[p + 1] = (base + 40) % 256;
      img[p + 2] = Math.floor((x / w) * 60) + 100;
    }
  }
  return img;
}
export function syntheticColour(e: number, t: number, cam: number): number {
  return (t * 9 + e * 37 + cam * 71) % 200;
}

export interface SyntheticOptions {
  episodes: number;
  /** Length of episode e; default 20 + (e % 3) * 5. */
  length?: (e: number) => number;
  spec?: EmbodimentSpec;
  tasks?: string[];
  /** Called after each committed episode. */
  onEpisode?: (done: number, total: number) => void;
}

/** Writes (or appends) synthetic episodes with a DatasetWriter. */
export async function writeSyntheticDataset(dir: string, o: SyntheticOptions): Promise<EmbodimentSpec> {
  const spec = o.spec ?? syntheticEmbodiment('synth_arm');
  const w = await DatasetWriter.openOrCreate(dir, {
    fps: spec.controlHz,
    robotType: spec.robotType,
    features: featuresFromEmbodiment(spec),
  });
  const tasks = o.tasks ?? ['pick up the cube', 'open the drawer'];
  try {
    for (let k = 0; k < o.episodes; k++) {
      const e = w.totalEpisodes;
      const len = o.length ? o.length(e) : 20 + (e % 3) * 5;
      w.beginEpisode({ task: tasks[e % tasks.length] });
      for (let t = 0; t < len; t++) {
        const frame: Record<string, never> = {};
        const f = frame as Record<string, unknown>;
        f['observation.state'] = Float32Array.from(spec.stateNames, (_, j) => stateValue(e, t, j));
        f.action = Float32Array.from(spec.actionNames, (_, j) => actionValue(e, t, j));
        spec.cameras.forEach((c, ci) => {
          f[`observation.images.${c.name}`] = syntheticImage(e, t, ci, c.width, c.height);
        });
        f['next.reward'] = t === len - 1 ? 1 : 0;
        f['next.done'] = t === len - 1;
        f.success = e % 2 === 0;
        f.subtask = t < len / 2 ? 'reach' : 'grasp';
        f.quality = (e % 3) + 1;
        f.embodiment = spec.name;
        await w.addFrame(frame);
      }
      await w.commitEpisode();
      o.onEpisode?.(k + 1, o.episodes);
    }
  } finally {
    await w.close();
  }
  return spec;
}
