import type { EmbodimentSpec } from './embodiment.ts';
import type { Observation } from './policy.ts';

export interface ResetOptions {
  seed?: number;
  options?: Record<string, unknown>;
}

export interface StepResult {
  obs: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Record<string, unknown>;
}

/** Gymnasium semantics: reset → obs; step(action) → obs, reward, terminated, truncated, info. */
export interface Env {
  readonly spec: EmbodimentSpec;
  reset(opts?: ResetOptions): { obs: Observation; info: Record<string, unknown> };
  /** `action` = absolute joint targets in `spec.actionNames` order. */
  step(action: Float32Array): StepResult;
  dispose(): void;
}

/** Joint state read from a robot (sim or real). Arrays follow `spec.joints` order. */
export interface RobotState {
  /** Seconds on the driver's clock (virtual or wall). */
  time: number;
  q: Float64Array;
  qd: Float64Array;
  /** Gravity + Coriolis torques the PD controller compensates (zeros when unknown). */
  bias: Float64Array;
  /** The policy-facing state vector (`spec.stateNames` order). */
  state: Float32Array;
}

export type RobotCommand = { kind: 'torque'; tau: Float64Array } | { kind: 'targets'; q: Float64Array };

/**
 * A robot body. `command` applies torques (or position targets for robots that track them
 * internally); `advance` lets simulated time pass (no-op on real robots, which run on wall time).
 */
export interface RobotDriver {
  readonly spec: EmbodimentSpec;
  read(): RobotState;
  images(): Record<string, Uint8Array>;
  command(cmd: RobotCommand): void;
  /** Advance time by one physics step (sim) — real drivers return after the period elapses. */
  advance(): void | Promise<void>;
  dispose(): void;
}
