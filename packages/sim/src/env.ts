/**
 * `SimEnv`: a Gymnasium-style environment over MuJoCo. `reset({seed})` builds the task's scene
 * for that scene seed (recompiling the MJCF only when the scene changed), `step(action)` tracks
 * absolute joint targets with the core PD controller at physics rate for one control period and
 * renders every camera. Deterministic given the seed.
 */
import {
  type CameraSpec,
  type EmbodimentSpec,
  type Env,
  getEmbodiment,
  type Observation,
  type ResetOptions,
  RobofmError,
  type StepResult,
  ValidationError,
} from '@robofm/core';
import { checkAction } from './action.ts';
import { loadMujocoModule } from './mujoco.ts';
import { RayRenderer } from './renderer.ts';
import { makeRng } from './rng.ts';
import { getRobot } from './robots/index.ts';
import type { RobotDescription } from './robots/description.ts';
import { MujocoWorld } from './sim-world.ts';
import type { TaskDefinition, TaskEvaluation } from './task.ts';
import { getTask, hasTask, loadTaskSuite } from './task-registry.ts';

export interface SimEnvOptions {
  /** Body name (`arm6`, `arm4`, `mobile`, `bimanual`, `humanoid`, `hand`). */
  embodiment: string;
  /** A registered task name or a definition; default `free-play` (the body's default scene). */
  task?: string | TaskDefinition<unknown>;
  /** Passed to the task's `build` (merged with `reset({options})`). */
  taskOptions?: Record<string, unknown>;
  /** Episode length in control steps (default: the task's, else 200). */
  maxSteps?: number;
  /** Cameras to render, by name (default all of the body's). `[]` renders none. */
  cameras?: string[];
  /** Image size for every camera: `n` (n×n) or `[width, height]` (default the spec's, 96×96). */
  resolution?: number | [number, number];
  /** Also put depth maps (Float32Array per camera, metres) into `info.depth`. */
  depth?: boolean;
}

function resolveResolution(r: SimEnvOptions['resolution']): [number, number] | undefined {
  if (r === undefined) return undefined;
  const wh: [number, number] = typeof r === 'number' ? [r, r] : r;
  if (!Array.isArray(wh) || wh.length !== 2 || wh.some((v) => !Number.isInteger(v) || v <= 0 || v > 4096))
    throw new ValidationError('resolution', r, 'a positive integer or [width, height] (≤ 4096)');
  return wh;
}

export class SimEnv implements Env {
  readonly spec: EmbodimentSpec;
  readonly robot: RobotDescription;
  readonly task: TaskDefinition<unknown>;
  readonly maxSteps: number;
  private readonly cameras: CameraSpec[];
  private readonly depth: boolean;
  private readonly taskOptions: Record<string, unknown>;
  private current: MujocoWorld | undefined;
  private renderer: RayRenderer | undefined;
  private sceneKey = '';
  private taskState_: unknown;
  private instruction = '';
  private steps = 0;
  private done = true;
  private sceneSeed = 0;
  private nextSeed = 0;
  private readonly target: Float64Array;
  private readonly substeps: number;
  private disposed = false;

  /** Loads MuJoCo (once per thread) and builds an env. */
  static async create(opts: SimEnvOptions): Promise<SimEnv> {
    await loadMujocoModule();
    if (typeof opts?.task === 'string' && !hasTask(opts.task)) await loadTaskSuite();
    return new SimEnv(opts);
  }

  /** Requires `await loadMujocoModule()` first (or use `SimEnv.create`). */
  constructor(opts: SimEnvOptions) {
    if (!opts || typeof opts.embodiment !== 'string')
      throw new ValidationError('embodiment', opts?.embodiment, 'a body name');
    const base = getEmbodiment(opts.embodiment);
    this.robot = getRobot(opts.embodiment);
    this.task = typeof opts.task === 'object' ? opts.task : getTask(opts.task ?? 'free-play');
    if (!this.task.embodiments.includes(base.name))
      throw new ValidationError(
        'embodiment',
        base.name,
        `one of ${this.task.embodiments.join(', ')} (task '${this.task.name}')`,
      );
    const res = resolveResolution(opts.resolution);
    let cams = base.cameras.map((c) => (res ? { name: c.name, width: res[0], height: res[1] } : { ...c }));
    if (opts.cameras) {
      for (const [i, c] of opts.cameras.entries())
        if (!cams.some((x) => x.name === c))
          throw new ValidationError(`cameras[${i}]`, c, `one of ${cams.map((x) => x.name).join(', ')}`);
      cams = cams.filter((c) => opts.cameras!.includes(c.name));
    }
    this.cameras = cams;
    this.spec = { ...base, cameras: cams };
    const max = opts.maxSteps ?? this.task.maxSteps ?? 200;
    if (!Number.isInteger(max) || max <= 0)
      throw new ValidationError('maxSteps', opts.maxSteps, 'a positive integer');
    this.maxSteps = max;
    this.depth = Boolean(opts.depth);
    this.taskOptions = { ...(opts.taskOptions ?? {}) };
    this.target = new Float64Array(base.joints.length);
    const sub = base.physicsHz / base.controlHz;
    if (!Number.isInteger(sub))
      throw new RobofmError('sim_rates', `physicsHz/controlHz must be an integer for ${base.name}`);
    this.substeps = sub;
  }

  /** The live world (privileged access for experts, drivers and tests). Valid until the next reset. */
  get world(): MujocoWorld {
    if (!this.current) throw new RobofmError('env_needs_reset', 'call reset() before using the env');
    return this.current;
  }

  /** What the task's `build` returned as `state` (after `onReset`); the task may mutate it. */
  get taskState(): unknown {
    return this.taskState_;
  }

  /** The scene seed of the current episode. */
  get currentSceneSeed(): number {
    return this.sceneSeed;
  }

  get currentInstruction(): string {
    return this.instruction;
  }

  get stepCount(): number {
    return this.steps;
  }

  get physicsSubsteps(): number {
    return this.substeps;
  }

  /**
   * A new episode on scene `seed`. `joints` puts the robot in that pose instead of the task's start
   * pose (joint names of the body, values within limits; the scene is otherwise as built), for
   * perception data with the arm where rollouts take it.
   */
  reset(opts: ResetOptions & { joints?: Record<string, number> } = {}): {
    obs: Observation;
    info: Record<string, unknown>;
  } {
    this.assertAlive();
    if (opts.seed !== undefined && !(Number.isInteger(opts.seed) && opts.seed >= 0))
      throw new ValidationError('seed', opts.seed, 'a non-negative integer');
    const seed = opts.seed ?? this.nextSeed;
    this.sceneSeed = seed;
    this.nextSeed = seed + 1;
    const options = { ...this.taskOptions, ...(opts.options ?? {}) };
    const built = this.task.build({ embodiment: this.spec, sceneSeed: seed, rng: makeRng(seed), options });
    const key = JSON.stringify(built.scene);
    if (!this.current || key !== this.sceneKey) {
      const world = new MujocoWorld(this.spec, this.robot, built.scene);
      this.current?.dispose();
      this.current = world;
      this.sceneKey = key;
      if (this.renderer) this.renderer.bindWorld(world);
      else this.renderer = new RayRenderer(world);
    }
    const world = this.current;
    world.resetTo({ ...this.robot.home, ...(built.initialJoints ?? {}), ...(opts.joints ?? {}) });
    this.taskState_ = built.state;
    this.instruction = built.instruction;
    this.task.onReset?.(world, this.taskState_);
    this.steps = 0;
    this.done = false;
    const info: Record<string, unknown> = { task: this.task.name, sceneSeed: seed };
    return { obs: this.observe(info), info };
  }

  step(action: Float32Array): StepResult {
    this.assertAlive();
    if (this.done || !this.current)
      throw new RobofmError(
        'env_needs_reset',
        'the episode has ended (or never started): call reset() first',
      );
    checkAction(this.spec, action, this.target);
    const world = this.current;
    world.setTargets(this.target);
    const hook = this.task.onPhysicsStep;
    for (let i = 0; i < this.substeps; i++) {
      hook?.(world, this.taskState_);
      world.physicsStep();
    }
    this.steps++;
    const ev: TaskEvaluation = this.task.evaluate(world, this.taskState_);
    if (!Number.isFinite(ev.reward))
      throw new RobofmError(
        'task_reward',
        `task '${this.task.name}' returned a non-finite reward (${ev.reward})`,
      );
    const terminated = ev.done ?? (ev.success || ev.failure !== undefined);
    const truncated = !terminated && this.steps >= this.maxSteps;
    this.done = terminated || truncated;
    const info: Record<string, unknown> = {
      task: this.task.name,
      sceneSeed: this.sceneSeed,
      success: ev.success,
      ...(ev.failure !== undefined ? { failure: ev.failure } : {}),
      ...(ev.info ?? {}),
    };
    const obs = this.observe(info);
    this.checkFinite(obs.state);
    return { obs, reward: ev.reward, terminated, truncated, info };
  }

  private checkFinite(state: Float32Array): void {
    for (let i = 0; i < state.length; i++) {
      if (!Number.isFinite(state[i]))
        throw new RobofmError(
          'sim_unstable',
          `simulation diverged: state[${i}] (${this.spec.stateNames[i]}) = ${state[i]}`,
        );
    }
  }

  /** Renders one camera of the current world (rgb, optional depth) at the env's resolution. */
  render(camera: string, opts: { depth?: boolean; width?: number; height?: number; cache?: boolean } = {}) {
    if (!this.renderer) throw new RobofmError('env_needs_reset', 'call reset() before rendering');
    const cam = this.cameraSize(camera);
    return this.renderer.render(camera, opts.width ?? cam.width, opts.height ?? cam.height, {
      depth: opts.depth,
      cache: opts.cache,
    });
  }

  /**
   * The inverse of `project` onto the horizontal plane at height `z`: the world point a camera
   * sees at normalized image coordinates [u, v]; undefined when that ray never reaches the plane.
   */
  unproject(camera: string, uv: readonly number[], z: number): [number, number, number] | undefined {
    if (!this.renderer) throw new RobofmError('env_needs_reset', 'call reset() before unprojecting');
    const cam = this.cameraSize(camera);
    return this.renderer.unproject(camera, uv, z, cam.width, cam.height);
  }

  /**
   * A camera's image size: the policy's cameras at their resolution; any other camera of the
   * model (e.g. `overview`) at 96×96.
   */
  private cameraSize(camera: string): { width: number; height: number } {
    return (
      this.spec.cameras.find((c) => c.name === camera) ??
      getEmbodiment(this.spec.name).cameras.find((c) => c.name === camera) ?? { width: 96, height: 96 }
    );
  }

  /**
   * Where world point `p` appears in a camera's image (at the size `render` uses), as normalized
   * image coordinates [u, v] (u right, v down; ∈ [0, 1]² when in view); undefined when behind it.
   */
  project(camera: string, p: readonly number[]): [number, number] | undefined {
    if (!this.renderer) throw new RobofmError('env_needs_reset', 'call reset() before projecting');
    const cam = this.cameraSize(camera);
    return this.renderer.project(camera, p, cam.width, cam.height);
  }

  private observe(info: Record<string, unknown>): Observation {
    const images: Record<string, Uint8Array> = {};
    const depth: Record<string, Float32Array> = {};
    for (const c of this.cameras) {
      const r = this.renderer!.render(c.name, c.width, c.height, { depth: this.depth });
      images[c.name] = r.rgb;
      if (r.depth) depth[c.name] = r.depth;
    }
    if (this.depth) info.depth = depth;
    const q = this.world.jointPositions();
    return {
      embodiment: this.spec.name,
      images,
      state: Float32Array.from(q),
      instruction: this.instruction,
      timestamp: this.steps / this.spec.controlHz,
    };
  }

  private assertAlive(): void {
    if (this.disposed) throw new RobofmError('sim_disposed', 'this env was disposed');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.renderer?.dispose();
    this.current?.dispose();
    this.renderer = undefined;
    this.current = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
