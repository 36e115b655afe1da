import { ValidationError, pickCumulative } from '@robofm/core';
import {
  type EmbodimentInfo,
  type ModelConfig,
  type NormStats,
  type RawSample,
  Rng,
  computeFeatureStats,
  toModelActions,
} from '@robofm/policy';

/**
 * One demonstration held in memory: per frame the state, the action (absolute joint targets) and
 * each camera's image (HWC uint8, `imageSize`² — stored pre-resized to bound memory).
 */
export interface Episode {
  embodiment: string;
  instruction: string;
  /** Per-frame instructions when they differ within the episode (LeRobot per-frame task_index). */
  instructions?: string[];
  /** [T][stateDim] */
  state: Float32Array[];
  /** [T][actionDim]; empty for a perception-only episode (auxiliary targets, no actions). */
  action: Float32Array[];
  /** camera → [T] HWC uint8 frames of `imageHeight × imageWidth`. */
  images: Record<string, Uint8Array[]>;
  imageHeight: number;
  imageWidth: number;
  /**
   * [T][envDim] privileged environment state (`observation.environment_state`: where the task's
   * object and destination are), when the dataset has it: the auxiliary task's targets.
   */
  envState?: Float32Array[];
  /**
   * camera → [T][4] the same object and destination in that camera's image (`observation.focus_uv`:
   * normalized u, v of each; outside [0, 1] when out of view): the dense "where" targets.
   */
  focusUv?: Record<string, Float32Array[]>;
  /** [T][3·end effectors] end-effector positions (`observation.ee_pos`): the learned kinematics' targets. */
  eePos?: Float32Array[];
  /** Optional sampling weight of the dataset this episode came from. */
  weight?: number;
}

/** Where the trainer gets its samples: deterministic by (seed, step) so resume is exact. */
export interface SampleSource {
  embodiments: Record<string, EmbodimentInfo>;
  /** Per-body stats of state and of the actions as the model sees them (delta or absolute chunks). */
  normStats(cfg: ModelConfig): NormStats;
  /** Instruction strings seen in the data (added to the tokenizer corpus). */
  tasks: string[];
  /** Total frames (for reports). */
  frames: number;
  /** Width of the episodes' environment state (undefined when no episode has one). */
  envDim?: number;
  /** Whether any episode has focus labels in image coordinates (`Episode.focusUv`). */
  hasFocus?: boolean;
  /** Widest end-effector position vector among the episodes (undefined when none has one). */
  eeDim?: number;
  /**
   * `size` samples for `step`. With `oneBody`, the step draws one body (by its share of the
   * weighted frames) and the whole batch comes from that body's episodes, so the collator pads
   * nothing: a two-armed rig's extra cameras are not paid for by a one-camera arm's samples.
   */
  batch(step: number, size: number, seed: number, horizon: number, oneBody?: boolean): RawSample[];
}

/**
 * Samples (episode, frame) pairs from in-memory episodes: datasets weighted by `weight`, frames
 * uniform within; action chunks t…t+H−1 padded with the last action and masked past the end.
 */
export class EpisodeSource implements SampleSource {
  readonly tasks: string[];
  readonly frames: number;
  readonly envDim: number | undefined;
  readonly hasFocus: boolean;
  readonly eeDim: number | undefined;
  private readonly cum: number[] = [];
  /** Per body: indices of its episodes and their cumulative weighted frames. */
  private readonly byBody = new Map<string, { idx: number[]; cum: number[] }>();

  constructor(
    readonly episodes: Episode[],
    readonly embodiments: Record<string, EmbodimentInfo>,
  ) {
    if (episodes.length === 0) throw new ValidationError('episodes', episodes, 'at least one episode');
    let acc = 0;
    for (const [i, e] of episodes.entries()) {
      if (!embodiments[e.embodiment])
        throw new ValidationError(
          `episodes[${i}].embodiment`,
          e.embodiment,
          `one of ${Object.keys(embodiments).join(', ')}`,
        );
      if (
        e.state.length === 0 ||
        (e.action.length !== e.state.length && !(e.action.length === 0 && e.envState))
      )
        throw new ValidationError(
          `episodes[${i}].action`,
          e.action.length,
          `${e.state.length} frames (as state), or none with envState (perception-only)`,
        );
      acc += e.state.length * (e.weight ?? 1);
      this.cum.push(acc);
      const body = this.byBody.get(e.embodiment) ?? { idx: [], cum: [] };
      body.idx.push(i);
      body.cum.push((body.cum[body.cum.length - 1] ?? 0) + e.state.length * (e.weight ?? 1));
      this.byBody.set(e.embodiment, body);
    }
    this.frames = episodes.reduce((a, e) => a + e.state.length, 0);
    for (const [i, e] of episodes.entries()) {
      if (!e.envState) continue;
      const w = e.envState[0]?.length ?? 0;
      if (e.envState.length !== e.state.length || (this.envDim !== undefined && w !== this.envDim))
        throw new ValidationError(
          `episodes[${i}].envState`,
          `${e.envState.length}x${w}`,
          `${e.state.length} frames (as state) of one width across episodes${this.envDim === undefined ? '' : ` (${this.envDim})`}`,
        );
      this.envDim = w;
    }
    this.tasks = [...new Set(episodes.flatMap((e) => e.instructions ?? [e.instruction]))];
    this.hasFocus = episodes.some((e) => e.focusUv !== undefined);
    for (const [i, e] of episodes.entries()) {
      if (!e.eePos) continue;
      const w = e.eePos[0]?.length ?? 0;
      if (e.eePos.length !== e.state.length || w === 0 || w % 3 !== 0)
        throw new ValidationError(
          `episodes[${i}].eePos`,
          `${e.eePos.length}x${w}`,
          `${e.state.length} frames (as state) of x, y, z per end effector`,
        );
      this.eeDim = Math.max(this.eeDim ?? 0, w);
    }
  }

  /**
   * Per-embodiment statistics over all frames: state, and actions as the model sees them — for
   * delta mode every chunk entry action[t+k] − state[t] (k < H, within the episode).
   */
  normStats(cfg: ModelConfig): NormStats {
    const out: NormStats = {};
    const H = cfg.horizon;
    for (const [name, info] of Object.entries(this.embodiments)) {
      const eps = this.episodes.filter((e) => e.embodiment === name);
      if (eps.length === 0) continue;
      const acting = eps.filter((e) => e.action.length > 0);
      const rows: Float32Array[] = [];
      const A = info.actionDim;
      const cfgE = { ...cfg, embodiments: { ...cfg.embodiments, [name]: info } };
      for (const e of acting) {
        const T = e.state.length;
        for (let t = 0; t < T; t++) {
          const n = Math.min(H, T - t);
          const chunk = new Float32Array(n * A);
          for (let k = 0; k < n; k++) chunk.set(e.action[t + k], k * A);
          const rel = toModelActions(cfgE, info, e.state[t], chunk);
          for (let k = 0; k < n; k++) rows.push(rel.subarray(k * A, (k + 1) * A));
        }
      }
      const withEnv = eps.filter((e) => e.envState);
      const withEe = eps.filter((e) => e.eePos);
      out[name] = {
        state: computeFeatureStats(
          eps.flatMap((e) => e.state),
          info.stateDim,
        ),
        action: computeFeatureStats(rows, A),
        ...(withEnv.length && this.envDim
          ? {
              env: computeFeatureStats(
                withEnv.flatMap((e) => e.envState!),
                this.envDim,
              ),
            }
          : {}),
        ...(withEe.length
          ? {
              ee: computeFeatureStats(
                withEe.flatMap((e) => e.eePos!),
                withEe[0].eePos![0].length,
              ),
            }
          : {}),
      };
    }
    return out;
  }

  batch(step: number, size: number, seed: number, horizon: number, oneBody = false): RawSample[] {
    const rng = Rng.derive(seed, step, 17);
    const out: RawSample[] = [];
    let pool: { idx?: number[]; cum: number[] } = { cum: this.cum };
    for (let b = 0; b < size; b++) {
      const i = pickCumulative(pool.cum, rng.next());
      const e = this.episodes[pool.idx ? pool.idx[i] : i];
      if (oneBody && b === 0) pool = this.byBody.get(e.embodiment)!;
      const T = e.state.length;
      const t = rng.int(T);
      out.push(this.sampleAt(e, t, horizon));
    }
    return out;
  }

  sampleAt(e: Episode, t: number, horizon: number): RawSample {
    const T = e.state.length;
    const A = this.embodiments[e.embodiment].actionDim;
    const acting = e.action.length > 0;
    const actions = new Float32Array(horizon * A);
    const valid = new Uint8Array(horizon);
    for (let k = 0; k < horizon && acting; k++) {
      const idx = Math.min(T - 1, t + k);
      actions.set(e.action[idx], k * A);
      valid[k] = t + k < T ? 1 : 0;
    }
    const images: Record<string, Uint8Array> = {};
    const imageSizes: Record<string, [number, number]> = {};
    for (const [cam, frames] of Object.entries(e.images)) {
      images[cam] = frames[t];
      imageSizes[cam] = [e.imageHeight, e.imageWidth];
    }
    return {
      embodiment: e.embodiment,
      images,
      imageSizes,
      state: e.state[t],
      instruction: e.instructions?.[t] ?? e.instruction,
      ...(acting ? { actions, actionValid: valid } : {}),
      ...(e.envState ? { envState: e.envState[t] } : {}),
      ...(e.eePos ? { eePos: e.eePos[t] } : {}),
      ...(e.focusUv
        ? { focusUv: Object.fromEntries(Object.entries(e.focusUv).map(([cam, rows]) => [cam, rows[t]])) }
        : {}),
    };
  }
}
