/**
 * The contract between the simulator and the task suite (`packages/sim/src/tasks`).
 *
 * A task builds a SceneDescription (and an instruction) from a scene seed for one embodiment, and
 * judges the episode each control step through `SimWorld`, the privileged (simulator-only) view of
 * the world that success detectors and scripted experts use. See packages/sim/TASKS-API.md.
 */
import type { EmbodimentSpec } from '@robofm/core';
import type { Rng } from './rng.ts';
import type { Quat, SceneDescription, Vec3 } from './scene.ts';

export interface TaskBuildContext {
  embodiment: EmbodimentSpec;
  /** The seed this scene is generated from (`reset({seed})`). Same seed → same scene. */
  sceneSeed: number;
  /** Seeded from `sceneSeed`; the only randomness a task may use. */
  rng: Rng;
  /** `taskOptions` given to the env, merged with `reset({options})`. */
  options: Record<string, unknown>;
}

export interface TaskBuild<S = unknown> {
  scene: SceneDescription;
  instruction: string;
  /** Anything the task wants back in `evaluate` / `onReset` (target names, thresholds...). */
  state?: S;
  /**
   * Robot joint positions to start from (spec joint names → value); unspecified joints start at the
   * embodiment's home pose. Lets edge-case tasks start from odd configurations.
   */
  initialJoints?: Record<string, number>;
}

export interface TaskEvaluation {
  success: boolean;
  /** Dense or sparse reward for this control step. */
  reward: number;
  /** A short machine-readable reason when the episode failed (e.g. 'object_dropped'). */
  failure?: string;
  /** End the episode now (`terminated`); defaults to `success || failure !== undefined`. */
  done?: boolean;
  /** Extra facts copied into `info` (distances, subtask, ...). */
  info?: Record<string, unknown>;
}

export interface TaskDefinition<S = unknown> {
  /** Registry name, kebab-case (`pick-cube`). */
  name: string;
  /** Embodiment names this task supports (`['arm6', 'arm4', 'mobile']`). */
  embodiments: string[];
  description?: string;
  /** Default episode length in control steps (env `maxSteps` overrides). */
  maxSteps?: number;
  build(ctx: TaskBuildContext): TaskBuild<S>;
  /**
   * Called once after the scene is compiled and the robot is placed, before the first observation
   * (e.g. to record initial object heights in `state`, or to perturb things). May mutate `state`.
   */
  onReset?(world: SimWorld, state: S): void;
  /**
   * Called before each physics step (500 Hz): edge-case injectors push objects, change friction,
   * etc. here through `world.applyForce` / `world.setBodyPose`. Keep it cheap.
   */
  onPhysicsStep?(world: SimWorld, state: S): void;
  /** Called once per control step, after physics. */
  evaluate(world: SimWorld, state: S): TaskEvaluation;
}

/** A contact between two geoms, named by their bodies. */
export interface ContactInfo {
  body1: string;
  body2: string;
  geom1: string;
  geom2: string;
  /** Penetration distance (negative = penetrating), m. */
  dist: number;
  pos: Vec3;
}

export interface Pose {
  pos: Vec3;
  quat: Quat;
  /** Rotation matrix, row-major 3×3 (columns are the frame's axes in world coordinates). */
  mat: number[];
}

/**
 * Privileged read (and limited write) access to a running simulation. All values are copies in
 * plain arrays (safe to keep). Names: objects are `obj_<name>` bodies, fixtures `fix_<name>`,
 * fixture sites `fix_<name>_<site>`; robot end-effector sites are listed in `eeSites`.
 */
export interface SimWorld {
  readonly embodiment: EmbodimentSpec;
  readonly scene: SceneDescription;
  /** Simulated seconds since reset. */
  readonly time: number;
  /** End-effector site names: `['ee']`, or `['ee_left', 'ee_right']`. */
  readonly eeSites: string[];
  /** Number of MuJoCo velocity DoFs (width of Jacobian rows). */
  readonly nv: number;

  bodyNames(): string[];
  hasBody(name: string): boolean;
  bodyPose(name: string): Pose;
  /** Linear (world frame) and angular (world frame) velocity of a body's origin. */
  bodyVelocity(name: string): { lin: Vec3; ang: Vec3 };
  /** Object shortcuts: `objectPose('cube')` = `bodyPose('obj_cube')`. */
  objectPose(name: string): Pose;
  objectVelocity(name: string): { lin: Vec3; ang: Vec3 };
  sitePose(name: string): Pose;
  /** Position of a fixture's joint (drawer opening m, door angle rad), by fixture name. */
  fixtureJoint(name: string): number;

  /** Active contacts (geoms of the same body pair appear once per contact point). */
  contacts(): ContactInfo[];
  /** True when any geom of body `a` touches any geom of body `b` (names of bodies). */
  inContact(a: string, b: string): boolean;

  /** Robot joint positions / velocities in `embodiment.joints` order (the state the policy sees). */
  jointPositions(): Float64Array;
  jointVelocities(): Float64Array;
  /** The PD targets currently being tracked (`embodiment.joints` order). */
  jointTargets(): Float64Array;
  /** End-effector pose; `site` defaults to `eeSites[0]`. */
  eePose(site?: string): Pose;
  /**
   * Jacobian of a site w.r.t. the robot's actuated joints (`embodiment.joints` order, gripper
   * columns zero): `jacp` 3×n and `jacr` 3×n, row-major, n = joints.length. From mj_jacSite.
   */
  eeJacobian(site?: string): { jacp: Float64Array; jacr: Float64Array };
  /** Gripper opening for an arm: 0 closed … 1 open (`arm` = 'left'/'right' on two-armed bodies). */
  gripperOpening(arm?: 'left' | 'right'): number;
  /** Bodies touched by both fingers of a gripper (a crude "is holding" test). */
  graspedBodies(arm?: 'left' | 'right'): string[];

  /** Edge-case hooks (use from `onReset` / `onPhysicsStep`). */
  applyForce(body: string, force: Vec3, torque?: Vec3): void;
  setBodyPose(body: string, pos: Vec3, quat?: Quat): void;
  setGeomFriction(body: string, friction: number): void;
}
