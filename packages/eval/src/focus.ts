import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Canvas, type Rgb, ValidationError } from '@robofm/core';
import { assertSeedIn, goalFocus, sceneSeed } from '@robofm/sim';
import { drawPose, expertPosePool } from './collect.ts';
import { createSuiteEnv } from './suite-env.ts';

export interface FocusCheckOptions {
  /** Checkpoint directory (or `demo`): a model trained with the auxiliary task. */
  policy: string;
  task: string;
  embodiment: string;
  scenes: number;
  /** Scene split: held-out scenes (default) or the training ones. */
  split?: 'heldout' | 'train';
  /** Instruction paraphrases (default: the split's own set). */
  paraphrases?: 'heldout' | 'train';
  seedStart?: number;
  edgeCases?: unknown;
  /**
   * The robot's pose in each checked frame: `start` (the task's) or `demo` (a pose the scripted
   * expert visits on training scenes, drawn per scene, as rollouts see the arm). Default `start`.
   */
  armPoses?: 'start' | 'demo';
  /**
   * Also write a PNG contact sheet of the `SHEET_TILES` scenes whose object heatmap peak missed
   * most (first camera, 4× enlarged; the true object green, the object peak red, the destination
   * peak blue; the miss in pixels under each). Needs a model with focus heatmaps.
   */
  sheet?: string;
}

/** Error statistics of one predicted position (horizontal distance, metres → centimetres). */
export interface FocusErrorStats {
  meanCm: number;
  medianCm: number;
  within5cm: number;
}

export interface FocusReport {
  policy: string;
  suite: string;
  split: 'heldout' | 'train';
  paraphrases: 'heldout' | 'train';
  scenes: number;
  armPoses: 'start' | 'demo';
  /** The model's read-out of the named object's / destination's position at the first frame. */
  object: FocusErrorStats;
  dest: FocusErrorStats;
  /** The same errors for always answering the training data's mean position (the no-vision baseline). */
  meanGuess: { object: FocusErrorStats; dest: FocusErrorStats };
  /**
   * For a model trained with focus heatmaps (`model.focusWeight`): where the heatmaps of the body's
   * first camera peak, cast back onto the table plane at the true height, with the same errors.
   * The cast uses the scene's own camera (jitter included) and true heights, which no model knows:
   * a bound on what the heatmaps hold, not a read-out a policy could use.
   */
  heatmap?: { camera: string; object: FocusErrorStats; dest: FocusErrorStats };
  /**
   * The same, for the focus keypoint tokens (what the backbone and the action expert read: the
   * spatial softmax's expected position). Far worse than `heatmap` means the tokens average the
   * peak with look-alikes (see `model.focusSharpness`).
   */
  keypoints?: { camera: string; object: FocusErrorStats; dest: FocusErrorStats };
}

function stats(errs: number[]): FocusErrorStats {
  const s = [...errs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 1000) / 10;
  return {
    meanCm: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    medianCm: r(s[Math.floor(s.length / 2)] ?? Number.NaN),
    within5cm: s.filter((e) => e < 0.05).length,
  };
}

/**
 * How well a model with the auxiliary "where" task localizes: on N scenes, its read-out of the
 * focus (the named object and its destination, `goalFocus`) from the first observation against
 * the simulator's truth, as horizontal (x/y) errors, beside the error of always guessing the
 * training data's mean; for a model with focus heatmaps, also where they peak in the first camera.
 * Perception only: no episode is run.
 */
export async function focusCheck(o: FocusCheckOptions): Promise<FocusReport> {
  if (!Number.isInteger(o.scenes) || o.scenes <= 0)
    throw new ValidationError('--scenes', o.scenes, 'a positive integer');
  const split = o.split ?? 'heldout';
  const armPoses = o.armPoses ?? 'start';
  if (armPoses !== 'start' && armPoses !== 'demo')
    throw new ValidationError('--arm-poses', o.armPoses, "'start' or 'demo'");
  const { LocalPolicy } = await import('@robofm/policy');
  const policy = new LocalPolicy(o.policy);
  const m = policy.checkpoint.config.model;
  if (o.sheet && m.focusWeight === 0)
    throw new ValidationError('--sheet', o.sheet, 'a model with focus heatmaps (model.focusWeight > 0)');
  if (m.auxDim < 6)
    throw new ValidationError(
      '--policy',
      o.policy,
      'a checkpoint trained with the auxiliary task (model.auxDim 6: object and destination x/y/z)',
    );
  const env = policy.checkpoint.normStats[o.embodiment]?.env;
  if (!env)
    throw new ValidationError(
      '--embodiment',
      o.embodiment,
      `a body the checkpoint has environment stats for`,
    );
  const se = await createSuiteEnv({
    task: o.task,
    embodiment: o.embodiment,
    edgeCases: o.edgeCases ?? 'default',
    paraphrases: o.paraphrases ?? split,
  });
  const err = {
    object: [] as number[],
    dest: [] as number[],
    gObject: [] as number[],
    gDest: [] as number[],
    hObject: [] as number[],
    hDest: [] as number[],
    kObject: [] as number[],
    kDest: [] as number[],
  };
  const pool =
    armPoses === 'demo'
      ? await expertPosePool({
          task: o.task,
          embodiment: o.embodiment,
          firstScene: 0,
          edgeCases: o.edgeCases,
        })
      : undefined;
  const misses: SheetTile[] = [];
  const camera = m.focusWeight > 0 ? m.embodiments[o.embodiment]?.cameras[0]?.name : undefined;
  const d = (a: ArrayLike<number>, b: ArrayLike<number>, k: number) =>
    Math.hypot(a[k] - b[k], a[k + 1] - b[k + 1]);
  try {
    for (let i = 0; i < o.scenes; i++) {
      const seed = assertSeedIn(split, sceneSeed(split, (o.seedStart ?? 0) + i));
      const { obs } = se.env.reset({ seed, ...(pool ? { joints: drawPose(pool, seed) } : {}) });
      const truth = goalFocus(se.env.world, se.state().goals);
      if (!truth) throw new ValidationError('--task', o.task, 'a task with goal objects');
      const seen = policy.perceive([obs]);
      const pred = seen.focus![0];
      err.object.push(d(pred, truth, 0));
      err.dest.push(d(pred, truth, 3));
      err.gObject.push(d(env.mean, truth, 0));
      err.gDest.push(d(env.mean, truth, 3));
      // Image points cast onto the table plane at the true heights; a ray that misses the plane
      // counts as a miss by a metre.
      const cast = (uv: number[] | undefined, objectErr: number[], destErr: number[]) => {
        if (!camera || !uv) return;
        const far = [truth[0] + 1, truth[1], 0, truth[3] + 1, truth[4], 0];
        const o3 = se.env.unproject(camera, uv.slice(0, 2), truth[2]) ?? far.slice(0, 3);
        const d3 = se.env.unproject(camera, uv.slice(2, 4), truth[5]) ?? far.slice(3, 6);
        objectErr.push(d(o3, truth, 0));
        destErr.push(d([0, 0, 0, ...d3], truth, 3));
      };
      if (camera && o.sheet && seen.pixels) {
        const t = se.env.project(camera, truth.slice(0, 3));
        const peak = seen.pixels[0][camera];
        if (t)
          misses.push({
            miss: Math.hypot(peak[0] - t[0], peak[1] - t[1]),
            image: obs.images[camera],
            truth: t,
            peak,
          });
      }
      if (camera) {
        cast(seen.pixels?.[0][camera], err.hObject, err.hDest);
        cast(seen.keypointPixels?.[0][camera], err.kObject, err.kDest);
      }
    }
  } finally {
    se.env.dispose();
    policy.dispose();
  }
  if (o.sheet && camera) {
    const size = m.embodiments[o.embodiment].cameras[0];
    writeMissSheet(o.sheet, misses, size.width, size.height);
  }
  return {
    policy: policy.checkpoint.dir,
    suite: `${o.task}/${o.embodiment}`,
    split,
    paraphrases: o.paraphrases ?? split,
    scenes: o.scenes,
    armPoses,
    object: stats(err.object),
    dest: stats(err.dest),
    meanGuess: { object: stats(err.gObject), dest: stats(err.gDest) },
    ...(camera
      ? {
          heatmap: { camera, object: stats(err.hObject), dest: stats(err.hDest) },
          keypoints: { camera, object: stats(err.kObject), dest: stats(err.kDest) },
        }
      : {}),
  };
}

/** Scenes on a miss sheet. */
const SHEET_TILES = 8;

interface SheetTile {
  /** Object heatmap peak vs truth, normalized image units. */
  miss: number;
  image: Uint8Array;
  truth: [number, number];
  /** Object u, v, destination u, v. */
  peak: number[];
}

/** The `SHEET_TILES` largest misses, 4 to a row, each image 4× with marks and its miss in pixels. */
function writeMissSheet(path: string, tiles: SheetTile[], w: number, h: number): void {
  const Z = 4;
  const worst = [...tiles].sort((a, b) => b.miss - a.miss).slice(0, SHEET_TILES);
  const cols = 4;
  const rows = Math.max(1, Math.ceil(worst.length / cols));
  const label = 12;
  const c = new Canvas(cols * w * Z, rows * (h * Z + label), [255, 255, 255]);
  worst.forEach((t, k) => {
    const ox = (k % cols) * w * Z;
    const oy = Math.floor(k / cols) * (h * Z + label);
    for (let y = 0; y < h * Z; y++)
      for (let x = 0; x < w * Z; x++) {
        const i = (Math.floor(y / Z) * w + Math.floor(x / Z)) * 3;
        c.set(ox + x, oy + y, [t.image[i], t.image[i + 1], t.image[i + 2]]);
      }
    // a cross in a black outline, readable on any object's colour
    const cross = (u: number, v: number, col: Rgb) => {
      const x = ox + u * w * Z;
      const y = oy + v * h * Z;
      for (const [d, cc] of [
        [1, [0, 0, 0]],
        [-1, [0, 0, 0]],
        [0, col],
      ] as Array<[number, Rgb]>) {
        c.line(x - 7, y + d, x + 7, y + d, cc);
        c.line(x + d, y - 7, x + d, y + 7, cc);
      }
    };
    cross(t.truth[0], t.truth[1], [0, 255, 0]);
    cross(t.peak[0], t.peak[1], [255, 0, 0]);
    cross(t.peak[2], t.peak[3], [0, 0, 255]);
    c.text(ox + 4, oy + h * Z + 3, `MISS ${(t.miss * w).toFixed(1)} PX`, [0, 0, 0]);
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, c.png());
}
