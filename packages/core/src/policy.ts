import type { CameraSpec, EmbodimentSpec } from './embodiment.ts';

/**
 * What a policy sees at one instant. Images are HWC uint8 RGB, sized as the embodiment's camera
 * spec says (servers resize what clients send before building this). `state` follows the
 * embodiment's `stateNames`.
 */
export interface Observation {
  embodiment: string;
  images: Record<string, Uint8Array>;
  state: Float32Array;
  instruction: string;
  /** Seconds since episode start, when known. */
  timestamp?: number;
}

/** Per-embodiment view of a policy's input and output. */
export interface PolicyEmbodimentInfo {
  stateDim: number;
  actionDim: number;
  cameras: CameraSpec[];
  controlHz: number;
}

/** What a policy declares about a body it drives, from the body's spec (`cameras` it reads: all by default). */
export function policyEmbodimentInfo(
  spec: EmbodimentSpec,
  cameras: CameraSpec[] = spec.cameras,
): PolicyEmbodimentInfo {
  return {
    stateDim: spec.stateNames.length,
    actionDim: spec.actionNames.length,
    cameras,
    controlHz: spec.controlHz,
  };
}

export interface PolicyMetadata {
  /** Stable id of the model / policy (used by servers as model id). */
  id: string;
  /** Number of future actions per chunk (H). */
  actionHorizon: number;
  /** Embodiments this policy can drive, by name. */
  embodiments: Record<string, PolicyEmbodimentInfo>;
  /** Free-form extra facts (preset, checkpoint step, ...). */
  extra?: Record<string, unknown>;
}

export interface PolicyTiming {
  /** Time spent in the model for this request (ms). */
  inferMs: number;
  [key: string]: number;
}

/** H future absolute joint targets, row-major [horizon, actionDim]. */
export interface ActionChunk {
  actions: Float32Array;
  horizon: number;
  actionDim: number;
  /** The high level's current subtask in words, when the policy has one. */
  subtask?: string;
  timing: PolicyTiming;
}

/**
 * The one interface every policy implements: local models, remote clients, scripted experts,
 * replays. Servers wrap any Policy; the runtime drives any Policy.
 */
export interface Policy {
  readonly metadata: PolicyMetadata;
  infer(obs: Observation): Promise<ActionChunk>;
  /** Optional batched path (servers use it for dynamic batching). */
  inferBatch?(obs: Observation[]): Promise<ActionChunk[]>;
  /**
   * Start of a new episode (policies with memory reset it). `episodeSeed` (evaluation passes the
   * scene's) lets a sampling policy make the episode repeatable.
   */
  reset?(episodeSeed?: number): void | Promise<void>;
  dispose?(): void | Promise<void>;
}

/** Row `t` of an action chunk (a view, not a copy). */
export function chunkRow(chunk: ActionChunk, t: number): Float32Array {
  return chunk.actions.subarray(t * chunk.actionDim, (t + 1) * chunk.actionDim);
}
