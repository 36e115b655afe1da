import { ProgressBar, ValidationError } from '@robofm/core';
import { DatasetWriter, featuresFromEmbodiment } from '@robofm/data';
import { GOAL_FOCUS_NAMES, goalFocus, makeRng } from '@robofm/sim';
import { type Quality, QUALITIES, ScriptedExpert, assertSeedIn, sceneSeed, suiteTask } from './suite.ts';
import { type SuiteEnv, createSuiteEnv } from './suite-env.ts';

export type CollectQuality = Quality | 'mixed';

export interface CollectOptions {
  embodiment: string;
  task: string;
  episodes: number;
  quality: CollectQuality;
  out: string;
  /** Only 'train' is allowed: held-out scenes never feed training data. */
  sceneSeeds?: 'train';
  /** Index of the first train scene (episode i uses train scene `seedStart + i`). */
  seedStart?: number;
  edgeCases?: unknown;
  progress?: boolean;
}

export interface CollectSummary {
  dir: string;
  episodes: number;
  frames: number;
  successes: number;
  byQuality: Record<string, { episodes: number; successes: number }>;
  wallSeconds: number;
}

/** LeRobot `quality` column: 0 unknown, 1 low, 2 medium, 3 high/expert. */
export const QUALITY_CODE: Record<Quality, number> = { expert: 3, noisy: 2, failing: 1 };

/** Tier of episode i under 'mixed': 60 % expert, 25 % noisy, 15 % failing (seeded). */
export function mixedTier(seed: number): Quality {
  const u = makeRng(seed ^ 0x51ed).next();
  return u < 0.6 ? 'expert' : u < 0.85 ? 'noisy' : 'failing';
}

/**
 * Runs the scripted expert (at the requested quality) on training scenes and writes a LeRobot v3
 * dataset: every camera, state, action, the instruction as the task, the subtask per frame,
 * reward, done, success (the episode's outcome, on every frame), quality tier, scene seed and
 * edge case.
 */
export async function collectDataset(o: CollectOptions): Promise<CollectSummary> {
  if (!Number.isInteger(o.episodes) || o.episodes <= 0)
    throw new ValidationError('--episodes', o.episodes, 'a positive integer');
  if (![...QUALITIES, 'mixed'].includes(o.quality))
    throw new ValidationError('--quality', o.quality, 'expert, noisy, failing or mixed');
  if ((o.sceneSeeds ?? 'train') !== 'train')
    throw new ValidationError(
      '--scene-seeds',
      o.sceneSeeds,
      "'train' (held-out scenes are for evaluation only)",
    );
  const { se, withFocus } = await openTrainingEnv(o);
  const spec = se.env.spec;
  const features = featuresFromEmbodiment(spec, {
    extra: {
      scene_seed: { dtype: 'int64', shape: [1], names: null },
      edge_case: { dtype: 'string', shape: [1], names: null },
      ...(withFocus ? focusFeatures(spec.cameras) : {}),
      ...eeFeatures(se),
    },
  });
  const { writer, bar, summary, t0 } = await startWriting(o.out, spec, features, {
    total: o.episodes,
    label: `collect ${o.task}/${o.embodiment}`,
    unit: 'ep',
    enabled: o.progress,
  });
  try {
    for (let i = 0; i < o.episodes; i++) {
      const seed = assertSeedIn('train', sceneSeed('train', (o.seedStart ?? 0) + i));
      const tier: Quality = o.quality === 'mixed' ? mixedTier(seed) : o.quality;
      let { obs } = se.env.reset({ seed });
      const state = se.state();
      const expert = new ScriptedExpert(se.env.world, state, tier);
      const frames: Array<Record<string, unknown>> = [];
      let success = false;
      for (;;) {
        const focus = withFocus ? goalFocus(se.env.world, state.goals) : undefined; // before the step, as obs
        const eePos = eePositions(se); // before the step too: where the hand is in `obs`
        const step = expert.act();
        const r = se.env.step(step.action);
        const f: Record<string, unknown> = {
          'observation.state': obs.state,
          action: step.action,
          'next.reward': r.reward,
          'next.done': r.terminated || r.truncated,
          subtask: step.subtask,
          quality: QUALITY_CODE[tier],
          embodiment: spec.name,
          scene_seed: seed,
          edge_case: state.edgeCases.join(',') || 'none',
        };
        for (const c of spec.cameras) f[`observation.images.${c.name}`] = obs.images[c.name];
        if (focus) Object.assign(f, focusColumns(se, focus));
        f[EE_POS] = eePos;
        frames.push(f);
        obs = r.obs;
        if (r.info.success === true) success = true;
        if (r.terminated || r.truncated) break;
      }
      writer.beginEpisode({ task: se.env.currentInstruction });
      for (const f of frames)
        await writer.addFrame({ ...f, success } as Parameters<DatasetWriter['addFrame']>[0]);
      await writer.commitEpisode();
      summary.episodes++;
      summary.frames += frames.length;
      if (success) summary.successes++;
      const q = (summary.byQuality[tier] ??= { episodes: 0, successes: 0 });
      q.episodes++;
      if (success) q.successes++;
      bar.tick(1, `frames ${summary.frames} success ${summary.successes}/${summary.episodes}`);
    }
  } finally {
    await writer.close();
    se.env.dispose();
  }
  bar.finish();
  summary.wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
  return summary;
}

/**
 * Goal-based tasks also record where the task's attention is (privileged labels for auxiliary
 * training): LeRobot's `observation.environment_state` (world x/y/z of the named object and of its
 * destination, see `goalFocus`) and `observation.focus_uv`, the same two points in every camera's
 * image: normalized [u, v] (u right, v down, in [0, 1] when in view; −1, −1 behind the camera).
 */
function focusFeatures(cameras: ReadonlyArray<{ name: string }>) {
  return {
    'observation.environment_state': {
      dtype: 'float32' as const,
      shape: [GOAL_FOCUS_NAMES.length],
      names: [...GOAL_FOCUS_NAMES],
    },
    [FOCUS_UV]: {
      dtype: 'float32' as const,
      shape: [4 * cameras.length],
      names: cameras.flatMap((c) => FOCUS_UV_NAMES.map((n) => `${c.name}.${n}`)),
    },
  };
}

/**
 * Where the body's end effectors are (world x/y/z of each `eeSites` entry, before the step, as the
 * observation): the trainer's label for the model's learned forward kinematics (`model.eeDim`).
 */
const EE_POS = 'observation.ee_pos';

function eeFeatures(se: SuiteEnv) {
  const sites = se.env.world.eeSites;
  return {
    [EE_POS]: {
      dtype: 'float32' as const,
      shape: [3 * sites.length],
      names: sites.flatMap((s) => ['x', 'y', 'z'].map((a) => `${s}.${a}`)),
    },
  };
}

function eePositions(se: SuiteEnv): number[] {
  const w = se.env.world;
  return w.eeSites.flatMap((s) => Array.from(w.eePose(s).pos));
}

/** The dataset feature with the focus in image coordinates (`focusFeatures`). */
const FOCUS_UV = 'observation.focus_uv';
/** Per camera, in this order. */
const FOCUS_UV_NAMES = ['object_u', 'object_v', 'dest_u', 'dest_v'];

/** A frame's focus columns (`focusFeatures`) for world focus `focus` (6: object xyz, dest xyz). */
function focusColumns(se: SuiteEnv, focus: number[]): Record<string, number[]> {
  const uv: number[] = [];
  for (const c of se.env.spec.cameras)
    for (const p of [focus.slice(0, 3), focus.slice(3, 6)])
      uv.push(...(se.env.project(c.name, p) ?? [-1, -1]));
  return { 'observation.environment_state': focus, [FOCUS_UV]: uv };
}

/**
 * The env on training scenes for a collection (training paraphrases), after checking the body can
 * do the task; `withFocus` says whether the task has goals (so a focus to record).
 */
async function openTrainingEnv(o: {
  task: string;
  embodiment: string;
  edgeCases?: unknown;
  seedStart?: number;
}): Promise<{ se: SuiteEnv; withFocus: boolean }> {
  const task = suiteTask(o.task);
  if (!task.embodiments.includes(o.embodiment))
    throw new ValidationError(
      '--embodiment',
      o.embodiment,
      `one of ${task.embodiments.join(', ')} for task ${o.task}`,
    );
  const se = await createSuiteEnv({
    task: o.task,
    embodiment: o.embodiment,
    edgeCases: o.edgeCases ?? 'default',
    paraphrases: 'train',
  });
  se.env.reset({ seed: sceneSeed('train', o.seedStart ?? 0) });
  return { se, withFocus: goalFocus(se.env.world, se.state().goals) !== undefined };
}

/** Opens (or appends to) the dataset, with a progress bar and an empty summary. */
async function startWriting(
  out: string,
  spec: SuiteEnv['env']['spec'],
  features: ReturnType<typeof featuresFromEmbodiment>,
  bar: ConstructorParameters<typeof ProgressBar>[0],
): Promise<{ writer: DatasetWriter; bar: ProgressBar; summary: CollectSummary; t0: number }> {
  const writer = await DatasetWriter.openOrCreate(out, {
    fps: spec.controlHz,
    robotType: spec.robotType,
    features,
  });
  return {
    writer,
    bar: new ProgressBar(bar),
    summary: { dir: out, episodes: 0, frames: 0, successes: 0, byQuality: {}, wallSeconds: 0 },
    t0: performance.now(),
  };
}

/** Scenes stored per episode by `collectScenes`. */
export const SCENES_PER_EPISODE = 100;

export interface SceneCollectOptions {
  embodiment: string;
  task: string;
  /** Number of scenes (one frame each). */
  scenes: number;
  out: string;
  /** Index of the first training scene. */
  seedStart?: number;
  /**
   * Where the robot is in each frame: `start` (the task's start pose) or `demo` (a pose drawn at
   * random from the scripted expert's trajectories on other training scenes, so the arm is where
   * rollouts take it but says nothing about this scene's object). Default `start`.
   */
  armPoses?: 'start' | 'demo';
  edgeCases?: unknown;
  progress?: boolean;
}

/** Expert episodes whose every pose goes into the pool `armPoses: 'demo'` draws from. */
const POSE_POOL_EPISODES = 40;

/**
 * Joint poses (name → value) the scripted expert visits on `episodes` training scenes from index
 * `firstScene`, simulated without cameras: where rollouts take the arm, for perception data and
 * checks with the arm away from its start pose (`sim scenes --arm-poses demo`, `eval focus`).
 */
export async function expertPosePool(o: {
  task: string;
  embodiment: string;
  firstScene: number;
  episodes?: number;
  edgeCases?: unknown;
}): Promise<Array<Record<string, number>>> {
  const se = await createSuiteEnv({
    task: o.task,
    embodiment: o.embodiment,
    edgeCases: o.edgeCases ?? 'default',
    paraphrases: 'train',
    cameras: [],
  });
  const joints = se.env.spec.joints;
  // PD tracking overshoots a limit by a hair (a gripper at 0.040005 of 0.04): clamp to it.
  const pose = (q: Float64Array) =>
    Object.fromEntries(joints.map((j, k) => [j.name, Math.min(j.upper, Math.max(j.lower, q[k]))]));
  const pool: Array<Record<string, number>> = [];
  try {
    for (let i = 0; i < (o.episodes ?? POSE_POOL_EPISODES); i++) {
      const seed = sceneSeed('train', o.firstScene + i);
      se.env.reset({ seed });
      const expert = new ScriptedExpert(se.env.world, se.state(), 'expert');
      for (;;) {
        pool.push(pose(se.env.world.jointPositions()));
        const r = se.env.step(expert.act().action);
        if (r.terminated || r.truncated) break;
      }
    }
  } finally {
    se.env.dispose();
  }
  return pool;
}

/** Scene `seed`'s pose from a pool (deterministic, independent of the scene's layout). */
export function drawPose<T>(pool: T[], seed: number): T {
  return pool[Math.floor(makeRng(seed ^ 0x9a5e).next() * pool.length)];
}

/**
 * Perception data without demonstrations: for each training scene the first observation (robot at
 * its start pose, or in a pose from other scenes' demonstrations with `armPoses: 'demo'`; cameras,
 * state, instruction) with the task's focus as
 * `observation.environment_state`, and no `action` column. Rendering a scene needs no expert, so
 * thousands of layouts cost minutes; the trainer uses such frames for the auxiliary "where" task
 * only (no action loss), which teaches the cameras to find the named object on scenes the few
 * demonstrations never showed.
 */
export async function collectScenes(o: SceneCollectOptions): Promise<CollectSummary> {
  if (!Number.isInteger(o.scenes) || o.scenes <= 0)
    throw new ValidationError('--scenes', o.scenes, 'a positive integer');
  const armPoses = o.armPoses ?? 'start';
  if (armPoses !== 'start' && armPoses !== 'demo')
    throw new ValidationError('--arm-poses', o.armPoses, "'start' or 'demo'");
  const { se, withFocus } = await openTrainingEnv(o);
  const spec = se.env.spec;
  if (!withFocus) {
    se.env.dispose();
    throw new ValidationError('--task', o.task, 'a task with goal objects (its focus is the label)');
  }
  const features = featuresFromEmbodiment(spec, {
    reward: false,
    done: false,
    success: false,
    subtask: false,
    quality: false,
    extra: {
      scene_seed: { dtype: 'int64', shape: [1], names: null },
      ...focusFeatures(spec.cameras),
      ...eeFeatures(se),
    },
  });
  delete features.action;
  const { writer, bar, summary, t0 } = await startWriting(o.out, spec, features, {
    total: o.scenes,
    label: `scenes ${o.task}/${o.embodiment}`,
    unit: 'scene',
    enabled: o.progress,
  });
  try {
    // The pool's scenes are the training scenes right after this collection's own.
    const pool =
      armPoses === 'demo'
        ? await expertPosePool({ ...o, firstScene: (o.seedStart ?? 0) + o.scenes })
        : undefined;
    // SCENES_PER_EPISODE scenes per stored episode, each frame with its own instruction (LeRobot's
    // per-frame task_index): one-frame episodes would cost an encoder and a commit per scene.
    for (let i = 0; i < o.scenes; i++) {
      const seed = assertSeedIn('train', sceneSeed('train', (o.seedStart ?? 0) + i));
      const joints = pool && drawPose(pool, seed);
      const { obs } = se.env.reset({ seed, ...(joints ? { joints } : {}) });
      const f: Record<string, unknown> = {
        'observation.state': obs.state,
        embodiment: spec.name,
        scene_seed: seed,
        ...focusColumns(se, goalFocus(se.env.world, se.state().goals)!),
        [EE_POS]: eePositions(se),
        task: se.env.currentInstruction,
      };
      for (const c of spec.cameras) f[`observation.images.${c.name}`] = obs.images[c.name];
      if (i % SCENES_PER_EPISODE === 0) writer.beginEpisode({ task: se.env.currentInstruction });
      await writer.addFrame(f as Parameters<DatasetWriter['addFrame']>[0]);
      if ((i + 1) % SCENES_PER_EPISODE === 0 || i === o.scenes - 1) {
        await writer.commitEpisode();
        summary.episodes++;
      }
      summary.frames++;
      bar.tick(1);
    }
  } finally {
    await writer.close();
    se.env.dispose();
  }
  bar.finish();
  summary.wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
  return summary;
}
