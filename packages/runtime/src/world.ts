import type { Policy, RobotDriver } from '@robofm/core';
import type { WorkspaceBox } from './safety.ts';

/**
 * Everything one runtime episode needs from a simulated (or real) setup: the robot, the task's
 * instruction and success check, and — in sim — a privileged scripted expert for the live scene.
 */
export interface World {
  readonly driver: RobotDriver;
  /** Scripted expert for this scene (sim only); served remotely or run locally. */
  readonly expert?: Policy;
  readonly instruction: string;
  readonly timeLimitS: number;
  /** Where `retreat` fallback goes (default: the position at episode start). */
  readonly home?: Float64Array;
  readonly workspace?: WorkspaceBox;
  /** True once the task is done (checked at control rate). */
  success(): boolean;
  dispose(): void;
}

export interface WorldOptions {
  embodiment?: string;
  task?: string;
  seed?: number;
  timeLimitS?: number;
}

export type WorldFactory = (opts: WorldOptions) => Promise<World>;
