import type { Vec3 } from '../scene.ts';
import type { EdgeCase } from './edge-cases.ts';
import type { Goal } from './goals.ts';

/**
 * The state every suite task keeps between `build`, `onReset`, injectors, `evaluate` and the
 * scripted expert (which reads it as its plan). Plain data.
 */
export interface SuiteState {
  task: string;
  embodiment: string;
  sceneSeed: number;
  instruction: string;
  edgeCases: EdgeCase[];
  /** Required end state, in the order an expert should achieve it. */
  goals: Goal[];
  /** Objects that must not fall to the floor (goals + extras). */
  mustStay: string[];
  /** Height of the surface the objects start on. */
  tableHeight: number;
  /** Free spots on the table (world x, y) an expert may put things aside on. */
  asideSpots: Array<[number, number]>;
  /** Duplicate injector: `copy` is stuck to `of` once it is lifted, until both are set down. */
  duplicate?: {
    copy: string;
    of: string;
    phase: 'armed' | 'carried' | 'released';
    offset: Vec3;
    restZ: number;
  };
  /** Nudge injector: push `object` by `delta` when an end effector comes within reach of it. */
  nudge?: { object: string; delta: Vec3; done: boolean };
  /** Slip injector: the grasp on `object` slips once above `liftZ`, for `duration` s. */
  slip?: {
    object: string;
    liftZ: number;
    phase: 'armed' | 'slipping' | 'done';
    until: number;
    friction: number;
  };
  /** Task-specific extras (drawer, button, mobile counters...). */
  extra: Record<string, unknown>;
}
