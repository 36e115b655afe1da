import { ValidationError } from '@robofm/core';
import { type ModelConfig, fromModelActions, toModelActions } from './config.ts';
import { type NormStats, normalizeVector, unnormalizeVector } from './normalize.ts';
import type { BpeTokenizer } from './tokenizer.ts';

/** Normalized state and action-target values are clipped to ±TARGET_CLIP. */
export const TARGET_CLIP = 5;

/**
 * One training / inference example in raw robot units (what the env and the datasets give).
 * Images are HWC uint8 RGB per camera name (any resolution; resized here).
 */
export interface RawSample {
  embodiment: string;
  images: Record<string, Uint8Array>;
  /** Per camera: [height, width] when it differs from the embodiment's camera spec. */
  imageSizes?: Record<string, [number, number]>;
  state: ArrayLike<number>;
  instruction: string;
  /** [H, actionDim] row-major absolute joint targets (training only). */
  actions?: ArrayLike<number>;
  /** [H] 1 = a real step, 0 = padding past the episode end (training only; default all real). */
  actionValid?: ArrayLike<number>;
  /** Privileged environment state (training only; the auxiliary task's target, `auxDim` wide). */
  envState?: ArrayLike<number>;
  /**
   * camera → [4] the task's object and destination in that camera's image, normalized [u, v] each
   * (u right, v down; outside [0, 1] when out of view). Training only: the dense "where" targets.
   */
  focusUv?: Record<string, ArrayLike<number>>;
  /** End-effector positions, x/y/z per end effector (training only; the kinematics' target). */
  eePos?: ArrayLike<number>;
}

/**
 * A collated batch as flat typed arrays (converted to tensors by the model). Widths are padded:
 * state to maxStateDim, actions to maxActionDim, cameras to maxCameras; masks say what is real.
 */
export interface ArrayBatch {
  size: number;
  /**
   * Camera slots in this batch: the largest camera count among its bodies (≤ maxCameras). Slots
   * past every body's cameras would only hold masked tokens, so they are left out.
   */
  cameras: number;
  /** [B, C, 3, S, S] float32 in [-1, 1]. */
  images: Float32Array;
  /** [B, C] 1 = camera present. */
  imageMask: Uint8Array;
  /** [B, L] token ids, [B, L] 1 = real token. */
  textIds: Int32Array;
  textMask: Uint8Array;
  /** [B, maxStateDim] normalized, zero padded. */
  state: Float32Array;
  /** [B, H, maxActionDim] normalized, zero padded (present when the samples had actions). */
  actions?: Float32Array;
  /** [B, H, maxActionDim] 1 = supervised entry (real dim and real step). */
  actionMask?: Float32Array;
  /** [B] index into `embodimentNames` (ablation token). */
  embodimentIdx: Int32Array;
  /** [B, auxDim] normalized auxiliary targets and [B] 1 = the sample has one (auxDim > 0 only). */
  aux?: Float32Array;
  auxMask?: Float32Array;
  /** [B, C, 4] object and destination (u, v) per camera slot, and [B, C, 2] 1 = in view (focusWeight > 0). */
  focus?: Float32Array;
  focusMask?: Float32Array;
  /** [B, eeDim] normalized end-effector positions and 1 = a real, labelled entry (eeDim > 0 only). */
  ee?: Float32Array;
  eeMask?: Float32Array;
}

/**
 * The model's input/output transform pair: normalize + pad + tokenize + resize on the way in,
 * unpad + unnormalize on the way out. Pure typed-array code (no tensors), shared by training and
 * inference so both see exactly the same inputs.
 */
export class Processor {
  readonly embodimentNames: string[];

  constructor(
    readonly config: ModelConfig,
    readonly normStats: NormStats,
    readonly tokenizer: BpeTokenizer,
  ) {
    this.embodimentNames = Object.keys(config.embodiments).sort();
    if (tokenizer.vocabSize > config.vocabSize)
      throw new ValidationError(
        'tokenizer.vocabSize',
        tokenizer.vocabSize,
        `<= model.vocabSize (${config.vocabSize})`,
      );
  }

  collate(samples: RawSample[]): ArrayBatch {
    const c = this.config;
    const B = samples.length;
    const S = c.imageSize;
    const C = Math.max(1, ...samples.map((s) => c.embodiments[s.embodiment]?.cameras.length ?? 1));
    const H = c.horizon;
    const L = c.maxTextTokens;
    const A = c.maxActionDim;
    const img = new Float32Array(B * C * 3 * S * S);
    const imageMask = new Uint8Array(B * C);
    const textIds = new Int32Array(B * L);
    const textMask = new Uint8Array(B * L);
    const state = new Float32Array(B * c.maxStateDim);
    // A training batch (any sample with actions or auxiliary targets) carries actions; samples
    // without (perception-only frames) are fully masked.
    const withActions = samples.some((s) => s.actions !== undefined || s.envState !== undefined);
    const actions = withActions ? new Float32Array(B * H * A) : undefined;
    const actionMask = withActions ? new Float32Array(B * H * A) : undefined;
    const embodimentIdx = new Int32Array(B);
    const X = c.auxDim;
    const withAux = X > 0 && samples.some((s) => s.envState !== undefined);
    const aux = withAux ? new Float32Array(B * X) : undefined;
    const auxMask = withAux ? new Float32Array(B) : undefined;
    const withFocus = c.focusWeight > 0 && samples.some((s) => s.focusUv !== undefined);
    const focus = withFocus ? new Float32Array(B * C * 4) : undefined;
    const focusMask = withFocus ? new Float32Array(B * C * 2) : undefined;
    const E = c.eeDim;
    const withEe = E > 0 && samples.some((s) => s.eePos !== undefined);
    const ee = withEe ? new Float32Array(B * E) : undefined;
    const eeMask = withEe ? new Float32Array(B * E) : undefined;
    samples.forEach((s, b) => {
      const e = c.embodiments[s.embodiment];
      if (!e)
        throw new ValidationError(
          `sample[${b}].embodiment`,
          s.embodiment,
          `one of ${Object.keys(c.embodiments).join(', ')}`,
        );
      const stats = this.normStats[s.embodiment];
      embodimentIdx[b] = this.embodimentNames.indexOf(s.embodiment);
      e.cameras.forEach((cam, slot) => {
        const px = s.images[cam.name];
        if (!px) return; // a missing camera is masked out
        const [h, w] = s.imageSizes?.[cam.name] ?? [cam.height, cam.width];
        if (px.length !== h * w * 3)
          throw new ValidationError(`sample[${b}].images.${cam.name}`, px, `${h}x${w}x3 uint8 pixels`);
        resizeHwcToChw(px, h, w, S, img, ((b * C + slot) * 3 * S * S) | 0);
        imageMask[b * C + slot] = 1;
        const uv = s.focusUv?.[cam.name];
        if (focus && focusMask && uv) {
          if (uv.length !== 4)
            throw new ValidationError(
              `sample[${b}].focusUv.${cam.name}`,
              uv,
              'length 4 (object u, v, dest u, v)',
            );
          for (let k = 0; k < 2; k++) {
            const u = uv[2 * k];
            const v = uv[2 * k + 1];
            if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) continue; // out of view: no target
            focus[(b * C + slot) * 4 + 2 * k] = u;
            focus[(b * C + slot) * 4 + 2 * k + 1] = v;
            focusMask[(b * C + slot) * 2 + k] = 1;
          }
        }
      });
      const { ids, mask } = this.tokenizer.encodeFixed(s.instruction ?? '', L);
      textIds.set(ids, b * L);
      textMask.set(mask, b * L);
      if (s.state.length !== e.stateDim)
        throw new ValidationError(`sample[${b}].state`, s.state, `length ${e.stateDim} for ${s.embodiment}`);
      const ns = normalizeVector(s.state, stats.state, c.normalization);
      for (let i = 0; i < ns.length; i++) ns[i] = Math.max(-TARGET_CLIP, Math.min(TARGET_CLIP, ns[i]));
      state.set(ns, b * c.maxStateDim);
      if (actions && actionMask && s.actions) {
        if (s.actions.length !== H * e.actionDim)
          throw new ValidationError(`sample[${b}].actions`, s.actions, `length ${H}*${e.actionDim}`);
        const rel = toModelActions(c, e, s.state, Float32Array.from(s.actions));
        const row = new Float32Array(e.actionDim);
        for (let t = 0; t < H; t++) {
          for (let i = 0; i < e.actionDim; i++) row[i] = rel[t * e.actionDim + i];
          const off = (b * H + t) * A;
          // Targets beyond ±TARGET_CLIP (rare outliers) are clipped so they cannot dominate the loss.
          const n = normalizeVector(row, stats.action, c.normalization);
          for (let i = 0; i < n.length; i++) n[i] = Math.max(-TARGET_CLIP, Math.min(TARGET_CLIP, n[i]));
          actions.set(n, off);
          const valid = s.actionValid ? s.actionValid[t] : 1;
          if (valid) actionMask.fill(1, off, off + e.actionDim);
        }
      }
      if (aux && auxMask && s.envState) {
        if (s.envState.length !== X)
          throw new ValidationError(`sample[${b}].envState`, s.envState, `length ${X} (model.auxDim)`);
        if (!stats.env)
          throw new ValidationError(
            `norm_stats.${s.embodiment}.env`,
            undefined,
            'stats of the environment state',
          );
        const n = normalizeVector(s.envState, stats.env, c.normalization);
        for (let i = 0; i < X; i++) aux[b * X + i] = Math.max(-TARGET_CLIP, Math.min(TARGET_CLIP, n[i]));
        auxMask[b] = 1;
      }
      if (ee && eeMask && s.eePos) {
        if (s.eePos.length > E || s.eePos.length % 3 !== 0)
          throw new ValidationError(
            `sample[${b}].eePos`,
            s.eePos,
            `x, y, z per end effector, at most ${E} (model.eeDim)`,
          );
        if (!stats.ee)
          throw new ValidationError(
            `norm_stats.${s.embodiment}.ee`,
            undefined,
            'stats of the end-effector positions',
          );
        const n = normalizeVector(s.eePos, stats.ee, c.normalization);
        for (let i = 0; i < n.length; i++) {
          ee[b * E + i] = Math.max(-TARGET_CLIP, Math.min(TARGET_CLIP, n[i]));
          eeMask[b * E + i] = 1;
        }
      }
    });
    return {
      size: B,
      cameras: C,
      images: img,
      imageMask,
      textIds,
      textMask,
      state,
      actions,
      actionMask,
      embodimentIdx,
      ...(aux && auxMask ? { aux, auxMask } : {}),
      ...(focus && focusMask ? { focus, focusMask } : {}),
      ...(ee && eeMask ? { ee, eeMask } : {}),
    };
  }

  /**
   * [H, maxActionDim] normalized model output → [H, actionDim] robot units (`state`: the raw state
   * the chunk was predicted from, needed for delta actions).
   */
  unpadActions(
    embodiment: string,
    padded: Float32Array,
    offset: number,
    state: ArrayLike<number>,
  ): Float32Array {
    const c = this.config;
    const e = c.embodiments[embodiment];
    const out = new Float32Array(c.horizon * e.actionDim);
    const stats = this.normStats[embodiment].action;
    for (let t = 0; t < c.horizon; t++) {
      const row = padded.subarray(offset + t * c.maxActionDim, offset + t * c.maxActionDim + e.actionDim);
      out.set(unnormalizeVector(row, stats, c.normalization), t * e.actionDim);
    }
    return fromModelActions(c, e, state, out);
  }
}

/** Bilinear resize of HWC uint8 into CHW float32 in [-1, 1] at `out[offset…]` (S×S). */
export function resizeHwcToChw(
  px: Uint8Array,
  h: number,
  w: number,
  S: number,
  out: Float32Array,
  offset: number,
): void {
  const plane = S * S;
  const sy = h / S;
  const sx = w / S;
  for (let y = 0; y < S; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(h - 1, Math.floor(fy));
    const y1 = Math.min(h - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < S; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(w - 1, Math.floor(fx));
      const x1 = Math.min(w - 1, x0 + 1);
      const wx = fx - x0;
      const i00 = (y0 * w + x0) * 3;
      const i01 = (y0 * w + x1) * 3;
      const i10 = (y1 * w + x0) * 3;
      const i11 = (y1 * w + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const v =
          (1 - wy) * ((1 - wx) * px[i00 + ch] + wx * px[i01 + ch]) +
          wy * ((1 - wx) * px[i10 + ch] + wx * px[i11 + ch]);
        out[offset + ch * plane + y * S + x] = v / 127.5 - 1;
      }
    }
  }
}
