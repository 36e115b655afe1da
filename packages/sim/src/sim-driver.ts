/**
 * `SimDriver`: a simulated robot behind core's `RobotDriver` interface, so the runtime drives the
 * simulator exactly as it drives hardware. `advance()` is ONE physics step (1/physicsHz s of
 * simulated time); `command({kind:'torque'})` applies raw torques (the runtime's own PD loop),
 * `command({kind:'targets'})` makes the simulator's PD track targets instead.
 */
import {
  type EmbodimentSpec,
  type RobotCommand,
  type RobotDriver,
  type RobotState,
  ValidationError,
} from '@robofm/core';
import { checkAction } from './action.ts';
import { SimEnv, type SimEnvOptions } from './env.ts';
import type { TaskEvaluation } from './task.ts';

export interface SimDriverOptions extends SimEnvOptions {
  /** Scene seed of the episode to build (default 0). */
  sceneSeed?: number;
}

export class SimDriver implements RobotDriver {
  readonly env: SimEnv;
  private readonly targets: Float64Array;
  private readonly taskHook: boolean;

  /** Loads MuJoCo, builds the env and resets it to `sceneSeed`. */
  static async create(opts: SimDriverOptions): Promise<SimDriver> {
    const env = await SimEnv.create(opts);
    return new SimDriver(env, opts.sceneSeed ?? 0);
  }

  /** Wraps an env (the driver owns it from now on) and resets it to `sceneSeed`. */
  constructor(env: SimEnv, sceneSeed = 0) {
    this.env = env;
    env.reset({ seed: sceneSeed });
    this.targets = new Float64Array(env.spec.joints.length);
    this.taskHook = Boolean(env.task.onPhysicsStep);
  }

  get spec(): EmbodimentSpec {
    return this.env.spec;
  }

  /** The task's instruction for this scene. */
  get instruction(): string {
    return this.env.currentInstruction;
  }

  /** Start a new episode (scene seed) without rebuilding the driver. */
  reset(sceneSeed: number): void {
    this.env.reset({ seed: sceneSeed });
  }

  read(): RobotState {
    const w = this.env.world;
    const q = w.jointPositions();
    return { time: w.time, q, qd: w.jointVelocities(), bias: w.biasTorques(), state: Float32Array.from(q) };
  }

  images(): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {};
    for (const c of this.env.spec.cameras) out[c.name] = this.env.render(c.name).rgb;
    return out;
  }

  command(cmd: RobotCommand): void {
    const n = this.env.spec.joints.length;
    if (cmd?.kind === 'torque') {
      if (!(cmd.tau instanceof Float64Array) || cmd.tau.length !== n)
        throw new ValidationError('command.tau', cmd.tau, `a Float64Array of length ${n}`);
      for (let i = 0; i < n; i++)
        if (!Number.isFinite(cmd.tau[i]))
          throw new ValidationError(`command.tau[${i}]`, cmd.tau[i], 'a finite number');
      this.env.world.setTorques(cmd.tau);
    } else if (cmd?.kind === 'targets') {
      checkAction(this.env.spec, cmd.q, this.targets);
      this.env.world.setTargets(this.targets);
    } else {
      throw new ValidationError('command.kind', (cmd as { kind?: unknown })?.kind, "'torque' or 'targets'");
    }
  }

  advance(): void {
    const w = this.env.world;
    if (this.taskHook) this.env.task.onPhysicsStep!(w, this.env.taskState);
    w.physicsStep();
  }

  /** The task's judgement of the current state (success, reward, failure). */
  evaluate(): TaskEvaluation {
    return this.env.task.evaluate(this.env.world, this.env.taskState);
  }

  success(): boolean {
    return this.evaluate().success;
  }

  /** World positions of the end-effector sites (`ee`, or `ee_left`, `ee_right`). */
  eePositions(): Array<[number, number, number]> {
    const w = this.env.world;
    return w.eeSites.map((s) => w.eePose(s).pos);
  }

  /** Where the end effectors would be with the joints at `q` (no effect on the simulation). */
  eePositionsAt(q: ArrayLike<number>): Array<[number, number, number]> {
    return this.env.world.eePositionsAt(q);
  }

  dispose(): void {
    this.env.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
