/**
 * Scene descriptions: what a task puts around a robot. Plain data, checked when the MJCF is built.
 * The simulator (`@robofm/sim` core) turns a robot body + a SceneDescription into one MJCF model;
 * tasks (`packages/sim/src/tasks`) generate SceneDescriptions procedurally from a scene seed.
 * Units: metres, radians, kilograms; positions in the world frame (z up, table top at `table.height`).
 */
export type Rgba = [number, number, number, number];
export type Vec3 = [number, number, number];
/** Quaternion w, x, y, z. */
export type Quat = [number, number, number, number];

export type ShapeDesc =
  | { type: 'box'; halfSize: Vec3 }
  | { type: 'sphere'; radius: number }
  | { type: 'cylinder'; radius: number; halfHeight: number }
  | { type: 'capsule'; radius: number; halfHeight: number };

/** A free-floating object (free joint) that can be picked, pushed, stacked. */
export interface ObjectDesc {
  /** Unique name; becomes the MuJoCo body name `obj_<name>`. */
  name: string;
  shape: ShapeDesc;
  pos: Vec3;
  quat?: Quat;
  rgba: Rgba;
  mass?: number;
  friction?: number;
  /** Free-form tags tasks use (colour word, object word, 'damaged', 'distractor', ...). */
  tags?: Record<string, string>;
}

/** A static (welded) or jointed fixture: tables, bins, counters, walls, drawers, buttons. */
export interface FixtureDesc {
  /** Unique name; MuJoCo body `fix_<name>`. */
  name: string;
  pos: Vec3;
  quat?: Quat;
  /** Geoms of the fixture, positions relative to the fixture body. */
  geoms: Array<{ shape: ShapeDesc; pos?: Vec3; quat?: Quat; rgba: Rgba; name?: string; contact?: boolean }>;
  /**
   * Optional single joint (drawer: slide, button: slide with spring, door: hinge). The moving
   * part is the geoms with `moving: true`… kept simple: the whole fixture body moves along it.
   */
  joint?: {
    type: 'slide' | 'hinge';
    axis: Vec3;
    range: [number, number];
    /** Spring stiffness toward `springref` (buttons pop back). */
    stiffness?: number;
    springref?: number;
    damping?: number;
  };
  /** Sites (named points) on the fixture, e.g. a drawer handle; MuJoCo site `fix_<name>_<site>`. */
  sites?: Array<{ name: string; pos: Vec3 }>;
  tags?: Record<string, string>;
}

export interface LightDesc {
  pos: Vec3;
  dir: Vec3;
  /** Diffuse intensity 0..1. */
  diffuse: number;
}

export interface SceneDescription {
  table?: { size: [number, number]; height: number; rgba: Rgba; checker?: Rgba };
  floor: { rgba: Rgba; checker?: Rgba };
  objects: ObjectDesc[];
  fixtures: FixtureDesc[];
  /** Lighting used by the renderer (ambient + Lambert from these directions). */
  lights: LightDesc[];
  ambient: number;
  /** Small per-scene perturbation of every camera pose (position m, rotation rad). */
  cameraJitter?: { pos: Vec3; rot: Vec3 };
  /** Where the robot base sits (mobile robots may start anywhere in a room). */
  robotBase?: { pos: Vec3; yaw: number };
}
