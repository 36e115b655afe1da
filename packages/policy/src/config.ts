import type { CameraSpec } from '@robofm/core';
import { ValidationError } from '@robofm/core';

/** What the model knows about one body: its widths, cameras (slot order) and rate. */
export interface EmbodimentInfo {
  stateDim: number;
  actionDim: number;
  cameras: CameraSpec[];
  controlHz: number;
  /**
   * Delta actions: for action dim i, the state index its target is taken relative to (the current
   * joint position), or −1 for dims kept absolute (grippers). Absent = all absolute.
   */
  deltaIndex?: number[];
}

/**
 * The whole model description: saved as `config.json` in a checkpoint, read back to rebuild the
 * exact architecture. Sizes come from presets (`@robofm/train`); defaults below are the demo size.
 */
export interface ModelConfig {
  /** `flow` = π0-style flow-matching action expert; `token` = first-generation discrete baseline. */
  kind: 'flow' | 'token';
  /** Images are resized to `imageSize`² before the conv stem. */
  imageSize: number;
  /** Conv stem channels (each layer halves the resolution). */
  visionChannels: number[];
  /** Tokens per camera = visionGrid² (adaptive average pool of the stem output). */
  visionGrid: number;
  /**
   * Keypoint tokens per camera (0 = none): a spatial softmax over the stem's last feature map gives
   * one expected (x, y) image position per keypoint channel, projected to this many tokens. Pooled
   * grid tokens blur where things are inside a cell; keypoints keep sub-pixel positions.
   */
  visionKeypoints: number;
  /**
   * Stem levels the keypoint head reads (1 = the last feature map only). With L > 1 the head also
   * reads the L − 1 layers before it, each at twice the resolution of the next (the coarser maps'
   * logits upsampled and added, as in a feature pyramid), so the keypoints and the focus heatmaps
   * are 2^(L−1) times finer: at 96² with three layers, 24² cells of 4 px instead of 12² of 8 px,
   * where a front-camera cell spanned ~9–15 cm of table and the heatmap peak missed the object by
   * a median 5.3 cm (BENCHMARKS.md, sixth stop).
   */
  keypointLevels: number;
  /**
   * Language-conditioned vision (FiLM, as in RT-1): a one-block text encoder pools the instruction
   * into per-channel scales and shifts for every conv layer, so the stem (and its keypoints) can
   * attend to the object the words name. Starts as the identity.
   */
  visionFilm: boolean;
  maxCameras: number;
  dModel: number;
  backboneLayers: number;
  heads: number;
  mlpRatio: number;
  expertDim: number;
  expertLayers: number;
  expertHeads: number;
  vocabSize: number;
  maxTextTokens: number;
  /**
   * Auxiliary task (0 = none): width of the privileged environment state the backbone predicts
   * from a learned query token (`observation.environment_state`, e.g. where the named object and
   * its bin are). Filled in by the trainer from the data; a training signal that makes the cameras
   * and words matter, and a token the action expert reads at inference.
   */
  auxDim: number;
  /** Weight of the auxiliary loss against the action loss (used when auxDim > 0). */
  auxWeight: number;
  /**
   * Weight of the dense "where" loss: keypoint channels 0 and 1 of every camera are trained as
   * heatmaps of the task's object and destination (cross-entropy of their spatial softmax against a
   * Gaussian at the labelled pixel, when the data has `observation.focus_uv`). Needs keypoints.
   */
  focusWeight: number;
  /**
   * Sharpness of the focus channels' spatial softmax for the keypoint tokens (the logits of
   * channels 0–1 are multiplied by it; 1 = plain). A heatmap trained by the focus loss also lights
   * up on look-alikes, and the plain expected position averages them: on held-out scenes it sat
   * 13 px from the object where the heatmap's peak sat 3 px away (96² images, BENCHMARKS.md).
   * Used when focusWeight > 0; the loss and `heatmapPeak` read the plain logits.
   */
  focusSharpness: number;
  /**
   * Learned kinematics (0 = none): width of the end-effector positions (world x/y/z per end
   * effector, zero padded across bodies; `observation.ee_pos`) that a small MLP predicts from the
   * joint state. Filled in by the trainer from the data when `eeWeight` > 0. With it, the flow
   * action expert also reads a geometry token: that prediction and the auxiliary read-out (where
   * the object and its destination are), both without gradient, so the expert sees hand and target
   * in one frame. A behaviour-cloning MLP on privileged positions succeeded in 26 and 28 of 50
   * held-out scenes with the hand's position as an input (44, 49 reached the object) and in 6/30 and
   * 13/50 without it (20/30, 32/50 reached; BENCHMARKS.md, fifth stop).
   */
  eeDim: number;
  /** Weight of the kinematics loss (MSE on normalized positions); > 0 asks the trainer for `eeDim`. */
  eeWeight: number;
  /**
   * Read where the object and destination are from the focus heatmaps' peaks (every camera's,
   * without gradient) through a small MLP trained on the auxiliary targets (weight `auxWeight`):
   * the geometry token and `LocalPolicy.perceive` use it instead of the query token's read-out,
   * which learned to follow the arm — 12.9 cm median from the object at the start pose, 32.0 cm with the
   * arm in demonstration poses, where the heatmap peaks were 5.9 and 8.7 cm (BENCHMARKS.md, sixth
   * stop). Needs the auxiliary task and the focus heatmaps (the trainer leaves it off otherwise).
   */
  peakReadout: boolean;
  /**
   * The cast read-out: a small MLP that maps where the object and destination are in the first
   * camera's image (u, v each) and which body it is to the auxiliary targets — a learned camera
   * calibration. It trains on the *labelled* pixels (`observation.focus_uv`) of perception scenes
   * (rows without actions, both points in view; in demonstrations the object is often held in the
   * air), so the focus heatmaps' mistakes do not bend it; at inference it reads the heatmaps' peaks.
   * The geometry token and `perceive()` use it. On held-out scenes with the arm in demonstration
   * poses it put the object 5.2 cm (median) from the truth where the query token's read-out was
   * 11.4 cm off (destination 3.1 vs 4.8 cm); the scenes' camera jitter keeps any one-camera cast
   * near 3 cm even from exact pixels (BENCHMARKS.md, seventh stop). Needs the auxiliary task and the focus
   * heatmaps (the trainer leaves it off otherwise); not together with `peakReadout`.
   */
  castReadout: boolean;
  /**
   * Train the action expert on true geometry: in `computeLoss` the geometry token reads the batch's
   * labels (`observation.environment_state` and `observation.ee_pos`, where a row has them) instead
   * of the model's read-outs; inference reads the read-outs as always. Trained on its own noisy
   * read-outs the expert learns to ignore the token; trained on labels, the same model succeeded in
   * 8/30 held-out scenes when fed the truth (BENCHMARKS.md, sixth stop). Needs `eeDim` > 0.
   */
  geometryTeacher: boolean;
  /** Action chunk length H. */
  horizon: number;
  maxStateDim: number;
  maxActionDim: number;
  /** Euler steps when sampling (flow). */
  flowSteps: number;
  /** Bins per action dimension (token baseline). */
  tokenBins: number;
  /** Ablation only: an embodiment-id token in the prefix. */
  embodimentToken: boolean;
  /** Bodies this model drives (name → widths, cameras, rate). */
  embodiments: Record<string, EmbodimentInfo>;
  /** Normalization used for state and actions. */
  normalization: 'zscore' | 'quantile';
  /**
   * `delta`: the model predicts each chunk relative to the current state on the dims named by each
   * body's `deltaIndex` (π0-style); `absolute`: raw joint targets.
   */
  actionMode: 'absolute' | 'delta';
}

export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  kind: 'flow',
  imageSize: 64,
  visionChannels: [16, 32, 64],
  visionGrid: 4,
  visionKeypoints: 2,
  keypointLevels: 1,
  visionFilm: false,
  maxCameras: 4,
  dModel: 128,
  backboneLayers: 3,
  heads: 4,
  mlpRatio: 2,
  expertDim: 96,
  expertLayers: 2,
  expertHeads: 4,
  vocabSize: 512,
  maxTextTokens: 16,
  auxDim: 0,
  auxWeight: 0,
  focusWeight: 0,
  focusSharpness: 1,
  eeDim: 0,
  eeWeight: 0,
  peakReadout: false,
  castReadout: false,
  geometryTeacher: false,
  horizon: 16,
  maxStateDim: 32,
  maxActionDim: 32,
  flowSteps: 10,
  tokenBins: 256,
  embodimentToken: false,
  embodiments: {},
  normalization: 'zscore',
  actionMode: 'delta',
};

/** Checks a model config; throws a ValidationError naming the first bad field. */
export function validateModelConfig(c: ModelConfig): ModelConfig {
  const posInt = (k: keyof ModelConfig) => {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new ValidationError(`model.${k}`, v, 'a positive integer');
  };
  if (c.kind !== 'flow' && c.kind !== 'token')
    throw new ValidationError('model.kind', c.kind, "'flow' or 'token'");
  for (const k of [
    'imageSize',
    'visionGrid',
    'maxCameras',
    'dModel',
    'backboneLayers',
    'heads',
    'mlpRatio',
    'expertDim',
    'expertLayers',
    'expertHeads',
    'vocabSize',
    'maxTextTokens',
    'horizon',
    'maxStateDim',
    'maxActionDim',
    'flowSteps',
    'tokenBins',
  ] as const)
    posInt(k);
  if (typeof c.geometryTeacher !== 'boolean')
    throw new ValidationError('model.geometryTeacher', c.geometryTeacher, 'true or false');
  if (typeof c.peakReadout !== 'boolean')
    throw new ValidationError('model.peakReadout', c.peakReadout, 'true or false');
  if (c.peakReadout && c.focusWeight === 0)
    throw new ValidationError(
      'model.peakReadout',
      c.peakReadout,
      'false when model.focusWeight is 0 (it reads the focus heatmaps)',
    );
  if (typeof c.castReadout !== 'boolean')
    throw new ValidationError('model.castReadout', c.castReadout, 'true or false');
  if (c.castReadout && (c.focusWeight === 0 || c.peakReadout))
    throw new ValidationError(
      'model.castReadout',
      c.castReadout,
      'false when model.focusWeight is 0 (it reads the focus heatmaps) or model.peakReadout is true',
    );
  if (typeof c.visionFilm !== 'boolean')
    throw new ValidationError('model.visionFilm', c.visionFilm, 'true or false');
  if (!Number.isInteger(c.visionKeypoints) || c.visionKeypoints < 0)
    throw new ValidationError('model.visionKeypoints', c.visionKeypoints, 'a non-negative integer');
  if (
    !Number.isInteger(c.keypointLevels) ||
    c.keypointLevels < 1 ||
    (Array.isArray(c.visionChannels) && c.keypointLevels > c.visionChannels.length)
  )
    throw new ValidationError(
      'model.keypointLevels',
      c.keypointLevels,
      `an integer from 1 to the stem's layers (${Array.isArray(c.visionChannels) ? c.visionChannels.length : '?'})`,
    );
  if (!Number.isInteger(c.auxDim) || c.auxDim < 0)
    throw new ValidationError('model.auxDim', c.auxDim, 'a non-negative integer');
  if (!(typeof c.auxWeight === 'number' && c.auxWeight >= 0 && Number.isFinite(c.auxWeight)))
    throw new ValidationError('model.auxWeight', c.auxWeight, 'a non-negative number');
  if (!(typeof c.focusWeight === 'number' && c.focusWeight >= 0 && Number.isFinite(c.focusWeight)))
    throw new ValidationError('model.focusWeight', c.focusWeight, 'a non-negative number');
  if (!(typeof c.focusSharpness === 'number' && c.focusSharpness > 0 && Number.isFinite(c.focusSharpness)))
    throw new ValidationError('model.focusSharpness', c.focusSharpness, 'a positive number');
  if (!Number.isInteger(c.eeDim) || c.eeDim < 0 || c.eeDim % 3 !== 0)
    throw new ValidationError(
      'model.eeDim',
      c.eeDim,
      'a non-negative multiple of 3 (x, y, z per end effector)',
    );
  if (!(typeof c.eeWeight === 'number' && c.eeWeight >= 0 && Number.isFinite(c.eeWeight)))
    throw new ValidationError('model.eeWeight', c.eeWeight, 'a non-negative number');
  if (c.eeDim > 0 && c.kind !== 'flow')
    throw new ValidationError(
      'model.eeDim',
      c.eeDim,
      "0 unless model.kind is 'flow' (the geometry token feeds the action expert)",
    );
  if (c.focusWeight > 0 && c.visionKeypoints === 0)
    throw new ValidationError(
      'model.focusWeight',
      c.focusWeight,
      '0 when model.visionKeypoints is 0 (it trains keypoint channels)',
    );
  if (c.dModel % c.heads !== 0)
    throw new ValidationError('model.dModel', c.dModel, `a multiple of heads (${c.heads})`);
  if (c.expertDim % c.expertHeads !== 0)
    throw new ValidationError('model.expertDim', c.expertDim, `a multiple of expertHeads (${c.expertHeads})`);
  if (!Array.isArray(c.visionChannels) || c.visionChannels.length === 0)
    throw new ValidationError(
      'model.visionChannels',
      c.visionChannels,
      'a non-empty array of channel counts',
    );
  if (c.imageSize >> c.visionChannels.length < c.visionGrid)
    throw new ValidationError(
      'model.visionGrid',
      c.visionGrid,
      `<= imageSize / 2^layers (${c.imageSize >> c.visionChannels.length})`,
    );
  if (c.actionMode !== 'absolute' && c.actionMode !== 'delta')
    throw new ValidationError('model.actionMode', c.actionMode, "'absolute' or 'delta'");
  if (c.normalization !== 'zscore' && c.normalization !== 'quantile')
    throw new ValidationError('model.normalization', c.normalization, "'zscore' or 'quantile'");
  for (const [name, e] of Object.entries(c.embodiments)) {
    if (e.stateDim > c.maxStateDim)
      throw new ValidationError(
        `model.embodiments.${name}.stateDim`,
        e.stateDim,
        `<= maxStateDim (${c.maxStateDim})`,
      );
    if (e.actionDim > c.maxActionDim)
      throw new ValidationError(
        `model.embodiments.${name}.actionDim`,
        e.actionDim,
        `<= maxActionDim (${c.maxActionDim})`,
      );
    if (e.cameras.length > c.maxCameras)
      throw new ValidationError(
        `model.embodiments.${name}.cameras`,
        e.cameras.length,
        `<= maxCameras (${c.maxCameras})`,
      );
  }
  return c;
}

/** Tokens each camera contributes to the prefix: the pooled grid plus the keypoint tokens. */
export function tokensPerCamera(c: ModelConfig): number {
  return c.visionGrid * c.visionGrid + c.visionKeypoints;
}

/** Chunk [H, A] in robot units → what the model learns (relative to `state` on delta dims). */
export function toModelActions(
  cfg: ModelConfig,
  e: EmbodimentInfo,
  state: ArrayLike<number>,
  actions: Float32Array,
): Float32Array {
  if (cfg.actionMode !== 'delta' || !e.deltaIndex) return actions;
  const out = Float32Array.from(actions);
  const A = e.actionDim;
  for (let k = 0; k < out.length; k++) {
    const si = e.deltaIndex[k % A];
    if (si >= 0) out[k] -= state[si];
  }
  return out;
}

/** Inverse of `toModelActions` (in place). */
export function fromModelActions(
  cfg: ModelConfig,
  e: EmbodimentInfo,
  state: ArrayLike<number>,
  actions: Float32Array,
): Float32Array {
  if (cfg.actionMode !== 'delta' || !e.deltaIndex) return actions;
  const A = e.actionDim;
  for (let k = 0; k < actions.length; k++) {
    const si = e.deltaIndex[k % A];
    if (si >= 0) actions[k] += state[si];
  }
  return actions;
}
