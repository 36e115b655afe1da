import { F, nn, type Tensor, arange, cat, linspace, noGrad, tensor, zeros } from '@robofm/torch';
import { type ModelConfig, tokensPerCamera } from './config.ts';
import { Block } from './layers.ts';
import type { ArrayBatch } from './processor.ts';

/** An ArrayBatch as tensors (masks as bool). Free with `disposeBatch` (or a surrounding scope). */
export interface TensorBatch {
  size: number;
  images: Tensor; // [B, C, 3, S, S]
  imageMask: Tensor; // [B, C] bool
  textIds: Tensor; // [B, L] int64
  textMask: Tensor; // [B, L] bool
  state: Tensor; // [B, Ds]
  actions?: Tensor; // [B, H, Da]
  actionMask?: Tensor; // [B, H, Da] float
  embodimentIdx: Tensor; // [B] int64
  aux?: Tensor; // [B, auxDim] normalized auxiliary targets
  auxMask?: Tensor; // [B, 1] float, 1 = the row has a target
  focus?: Tensor; // [B, C, 4] object and destination (u, v) in each camera's image
  focusMask?: Tensor; // [B, C, 2] float, 1 = the point is in view
  ee?: Tensor; // [B, eeDim] normalized end-effector positions
  eeMask?: Tensor; // [B, eeDim] float, 1 = a labelled entry
}

/** The backbone's read-outs of one pass: "where" prediction [B, auxDim] and hand positions [B, eeDim]. */
export interface Readouts {
  aux?: Tensor;
  ee?: Tensor;
  /** The peak read-out [B, auxDim] (`model.peakReadout`): the same targets from the heatmaps' peaks. */
  peak?: Tensor;
  /** The cast read-out [B, auxDim] (`model.castReadout`): the first camera's heatmap peaks, cast. */
  cast?: Tensor;
}

/** The "where" read-out the action expert and `perceive()` use: cast, else peak, else the query token's. */
export function whereReadout(r: Readouts): Tensor | undefined {
  return r.cast ?? r.peak ?? r.aux;
}

/**
 * What the keypoint head saw, for the auxiliary losses: the expected keypoint positions
 * [B, C·2·KEYPOINT_CHANNELS] and the logits of channels 0–1 (object, destination) over the last
 * feature map's r² positions [B, C, 2, r²].
 */
export interface KeypointMaps {
  keypoints: Tensor;
  heat: Tensor;
}

export function toTensorBatch(b: ArrayBatch, cfg: ModelConfig): TensorBatch {
  const B = b.size;
  const S = cfg.imageSize;
  const C = b.cameras;
  const L = cfg.maxTextTokens;
  const H = cfg.horizon;
  const A = cfg.maxActionDim;
  return {
    size: B,
    images: tensor(b.images, { shape: [B, C, 3, S, S] }),
    imageMask: tensor(b.imageMask, { shape: [B, C], dtype: 'bool' }),
    textIds: tensor(b.textIds, { shape: [B, L], dtype: 'int64' }),
    textMask: tensor(b.textMask, { shape: [B, L], dtype: 'bool' }),
    state: tensor(b.state, { shape: [B, cfg.maxStateDim] }),
    actions: b.actions ? tensor(b.actions, { shape: [B, H, A] }) : undefined,
    actionMask: b.actionMask ? tensor(b.actionMask, { shape: [B, H, A] }) : undefined,
    embodimentIdx: tensor(b.embodimentIdx, { shape: [B], dtype: 'int64' }),
    aux: b.aux ? tensor(b.aux, { shape: [B, cfg.auxDim] }) : undefined,
    auxMask: b.auxMask ? tensor(b.auxMask, { shape: [B, 1] }) : undefined,
    focus: b.focus ? tensor(b.focus, { shape: [B, C, 4] }) : undefined,
    focusMask: b.focusMask ? tensor(b.focusMask, { shape: [B, C, 2] }) : undefined,
    ee: b.ee ? tensor(b.ee, { shape: [B, cfg.eeDim] }) : undefined,
    eeMask: b.eeMask ? tensor(b.eeMask, { shape: [B, cfg.eeDim] }) : undefined,
  };
}

export function disposeBatch(b: TensorBatch): void {
  for (const t of [
    b.images,
    b.imageMask,
    b.textIds,
    b.textMask,
    b.state,
    b.actions,
    b.actionMask,
    b.embodimentIdx,
    b.aux,
    b.auxMask,
    b.focus,
    b.focusMask,
    b.ee,
    b.eeMask,
  ])
    t?.dispose();
}

/**
 * The visual cortex: a conv stem shared by every camera (stride-2 3×3 convs), average-pooled to a
 * `visionGrid`² token grid, projected to the backbone width, plus grid-position and camera-slot
 * embeddings. With `visionKeypoints` > 0, a spatial softmax over the last feature map adds tokens
 * built from expected keypoint positions (Levine et al. 2016), which keep the sub-cell precision the
 * pooled grid loses.
 */
export class VisionEncoder extends nn.Module {
  convs: nn.Conv2d[];
  proj: nn.Linear;
  gridPos: nn.Embedding;
  cameraSlot: nn.Embedding;
  keypointLogits: nn.Conv2d | undefined;
  /** `keypointLevels` > 1: 1×1 convs from the earlier, finer layers (next-to-last first). */
  keypointLaterals: nn.Conv2d[];
  keypointProj: nn.Linear | undefined;
  keypointSlot: nn.Embedding | undefined;
  /** FiLM generator: condition [D] → (γ, β) for every conv layer's channels. */
  film: nn.Linear | undefined;
  constructor(private readonly cfg: ModelConfig) {
    super();
    this.convs = [];
    let cin = 3;
    for (const cout of cfg.visionChannels) {
      this.convs.push(new nn.Conv2d(cin, cout, 3, { stride: 2, padding: 1 }));
      cin = cout;
    }
    this.proj = new nn.Linear(cin, cfg.dModel);
    this.keypointLaterals = [];
    this.gridPos = new nn.Embedding(cfg.visionGrid * cfg.visionGrid, cfg.dModel);
    this.cameraSlot = new nn.Embedding(cfg.maxCameras, cfg.dModel);
    smallInit(this.gridPos, this.cameraSlot);
    if (cfg.visionKeypoints > 0) {
      this.keypointLogits = new nn.Conv2d(cin, KEYPOINT_CHANNELS, 1);
      const n = cfg.visionChannels.length;
      for (let l = 1; l < cfg.keypointLevels; l++)
        this.keypointLaterals.push(new nn.Conv2d(cfg.visionChannels[n - 1 - l], KEYPOINT_CHANNELS, 1));
      this.keypointProj = new nn.Linear(2 * KEYPOINT_CHANNELS, cfg.visionKeypoints * cfg.dModel);
      this.keypointSlot = new nn.Embedding(cfg.visionKeypoints, cfg.dModel);
      smallInit(this.keypointSlot);
    }
    if (cfg.visionFilm) {
      const total = cfg.visionChannels.reduce((a, b) => a + b, 0);
      this.film = new nn.Linear(cfg.dModel, 2 * total);
      noGrad(() => {
        this.film!.weight.zeroInPlace();
        this.film!.bias?.zeroInPlace();
      }); // γ = β = 0: the identity until training says otherwise
    }
  }
  /**
   * images [B, C, 3, S, S] → tokens [B, C·tokensPerCamera, D]. `cond` [B, D] (the pooled
   * instruction) modulates every conv layer when the encoder has FiLM.
   */
  forward(images: Tensor, cond?: Tensor): Tensor {
    return this.encode(images, cond).tokens;
  }

  /**
   * `forward` plus, when the encoder has keypoints, what the keypoint head saw (`KeypointMaps`):
   * the auxiliary tasks read them directly.
   */
  encode(images: Tensor, cond?: Tensor): { tokens: Tensor; maps?: KeypointMaps } {
    const [B, C, , S] = images.shape;
    const G = this.cfg.visionGrid;
    const D = this.cfg.dModel;
    let x = images.reshape(B * C, 3, S, S);
    let film: Tensor | undefined;
    if (this.film) {
      if (!cond) throw new Error('VisionEncoder with FiLM needs the instruction condition');
      const fp = this.film.forward(cond); // [B, 2·Σch]
      film = fp
        .unsqueeze(1)
        .expand(B, C, fp.shape[1])
        .reshape(B * C, fp.shape[1]);
    }
    let off = 0;
    const levels: Tensor[] = []; // every layer's output, for the keypoint pyramid
    for (const conv of this.convs) {
      x = conv.forward(x);
      if (film) {
        const ch = x.shape[1];
        const gamma = film.narrow(1, off, ch).reshape(B * C, ch, 1, 1);
        const beta = film.narrow(1, off + ch, ch).reshape(B * C, ch, 1, 1);
        x = x.mul(gamma.add(1)).add(beta);
        off += 2 * ch;
      }
      x = F.gelu(x);
      levels.push(x);
    }
    const r = x.shape[2];
    const feat = x;
    if (r !== G) x = F.avgPool2d(x, r / G, { stride: r / G }); // [B·C, ch, G, G]
    const ch = x.shape[1];
    let tokens = this.proj
      .forward(x.reshape(B * C, ch, G * G).transpose(1, 2)) // [B·C, G², D]
      .add(this.gridPos.forward(arange(0, G * G, 1, { dtype: 'int64' })).unsqueeze(0));
    let maps: KeypointMaps | undefined;
    if (this.keypointLogits && this.keypointProj && this.keypointSlot) {
      const K = this.cfg.visionKeypoints;
      let logits = this.keypointLogits.forward(feat); // [B·C, KEYPOINT_CHANNELS, r, r]
      this.keypointLaterals.forEach((lateral, i) => {
        logits = upsample2x(logits).add(lateral.forward(levels[levels.length - 2 - i]));
      });
      const r = logits.shape[2];
      const kp = spatialSoftmax(
        this.cfg.focusWeight > 0 ? sharpenFocus(logits, this.cfg.focusSharpness) : logits,
      ); // [B·C, 2·KEYPOINT_CHANNELS]
      maps = {
        keypoints: kp.reshape(B, C * 2 * KEYPOINT_CHANNELS),
        heat: logits.narrow(1, 0, 2).reshape(B, C, 2, r * r),
      };
      const kt = this.keypointProj
        .forward(kp)
        .reshape(B * C, K, D)
        .add(this.keypointSlot.forward(arange(0, K, 1, { dtype: 'int64' })).unsqueeze(0));
      tokens = cat([tokens, kt], 1);
    }
    const T = tokens.shape[1];
    const slot = this.cameraSlot.forward(arange(0, C, 1, { dtype: 'int64' })); // [C, D]
    return {
      tokens: tokens
        .reshape(B, C, T, D)
        .add(slot.reshape(1, C, 1, D))
        .reshape(B, C * T, D),
      maps,
    };
  }
}

/** Nearest-neighbour 2× upsampling: [N, K, r, c] → [N, K, 2r, 2c]. */
export function upsample2x(x: Tensor): Tensor {
  const [N, K, r, c] = x.shape;
  return x
    .reshape(N, K, r, 1, c, 1)
    .expand(N, K, r, 2, c, 2)
    .reshape(N, K, 2 * r, 2 * c);
}

/**
 * Spatial softmax: logits [N, K, r, r] → the expected (x, y) of each channel's softmax over the
 * r×r positions, x = column and y = row, both in [−1, 1]: [N, 2K] = [x₀…x_K−1, y₀…y_K−1].
 */
export function spatialSoftmax(logits: Tensor): Tensor {
  const [N, K, r, c] = logits.shape;
  const p = F.softmax(logits.reshape(N, K, r * c), 2);
  const xs = linspace(-1, 1, c)
    .reshape(1, c)
    .expand(r, c)
    .reshape(1, 1, r * c);
  const ys = linspace(-1, 1, r)
    .reshape(r, 1)
    .expand(r, c)
    .reshape(1, 1, r * c);
  return cat([p.mul(xs).sum(2), p.mul(ys).sum(2)], 1);
}

/**
 * Keypoint logits [N, K, r, r] with the focus channels (0 = object, 1 = destination) multiplied by
 * `tau`: their spatial softmax then follows the heatmap's peak instead of averaging it with the
 * look-alikes it also lights up on. Other channels are left as they are.
 */
export function sharpenFocus(logits: Tensor, tau: number): Tensor {
  if (tau === 1) return logits;
  const K = logits.shape[1];
  const scale = new Float32Array(K).fill(1);
  scale.fill(tau, 0, Math.min(2, K));
  return logits.mul(tensor(scale, { shape: [1, K, 1, 1] }));
}

/**
 * Spread of the focus heatmap target as a fraction of the image width: 0.6 cells of a 12² map, and
 * the same width in pixels on finer maps (`keypointLevels`).
 */
const FOCUS_SIGMA_UV = 0.05;

/**
 * The dense "where" loss (CenterNet-style): heatmap logits [B, C, 2, r²] (object, destination per
 * camera) against a Gaussian (FOCUS_SIGMA_UV of the image) around each labelled point (`focus` [B, C, 4],
 * normalized u, v), cross-entropy of the spatial softmax, mean over the points in view (`mask`
 * [B, C, 2]). Every pixel gets a label, where a regression of the expected position gives a small
 * object almost no gradient.
 */
export function focusLoss(heat: Tensor, focus: Tensor, mask: Tensor): Tensor {
  const [B, C, K, RR] = heat.shape;
  const r = Math.round(Math.sqrt(RR));
  const logp = F.logSoftmax(heat, 3);
  const pts = focus.reshape(B, C, K, 2).mul(r).sub(0.5); // cell coordinates
  const col = linspace(0, r - 1, r)
    .reshape(1, r)
    .expand(r, r)
    .reshape(1, 1, 1, RR);
  const row = linspace(0, r - 1, r)
    .reshape(r, 1)
    .expand(r, r)
    .reshape(1, 1, 1, RR);
  const d2 = col
    .sub(pts.narrow(3, 0, 1))
    .pow(2)
    .add(row.sub(pts.narrow(3, 1, 1)).pow(2)); // [B, C, K, r²]
  const sigma = FOCUS_SIGMA_UV * r; // in cells
  const target = F.softmax(d2.mul(-1 / (2 * sigma * sigma)), 3);
  const ce = target.mul(logp).sum(3).neg(); // [B, C, K]
  return ce.mul(mask).sum().div(mask.sum().clamp(1));
}

/**
 * The peak of one r×r heatmap (logits, row-major): the softmax-weighted mean position over the 3×3
 * cells around the best one, as normalized image coordinates [u, v] of the cells' centres.
 */
export function heatmapPeak(logits: ArrayLike<number>): [number, number] {
  const r = Math.round(Math.sqrt(logits.length));
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
  const bx = best % r;
  const by = Math.floor(best / r);
  let w = 0;
  let sx = 0;
  let sy = 0;
  for (let y = Math.max(0, by - 1); y <= Math.min(r - 1, by + 1); y++)
    for (let x = Math.max(0, bx - 1); x <= Math.min(r - 1, bx + 1); x++) {
      const q = Math.exp(logits[y * r + x] - logits[best]);
      w += q;
      sx += q * x;
      sy += q * y;
    }
  return [(sx / w + 0.5) / r, (sy / w + 0.5) / r];
}

/**
 * `heatmapPeak` for every map at once, in torch: logits [B, C, K, r²] → the peaks' normalized image
 * coordinates [B, C, K, 2] (u, v). No gradient: the best cell is a choice, not a function.
 */
export function heatmapPeaks(heat: Tensor): Tensor {
  return noGrad(() => {
    const [B, C, K, RR] = heat.shape;
    const r = Math.round(Math.sqrt(RR));
    const h = heat.detach();
    const col = linspace(0, r - 1, r)
      .reshape(1, r)
      .expand(r, r)
      .reshape(1, 1, 1, RR)
      .expand(B, C, K, RR);
    const row = linspace(0, r - 1, r)
      .reshape(r, 1)
      .expand(r, r)
      .reshape(1, 1, 1, RR)
      .expand(B, C, K, RR);
    const best = h.argmax(3, true); // [B, C, K, 1]
    const near = col
      .sub(col.gather(3, best))
      .abs()
      .le(1)
      .float()
      .mul(row.sub(row.gather(3, best)).abs().le(1).float()); // the 3×3 cells around the best one
    const w = h.sub(h.max(3, true)).exp().mul(near);
    const total = w.sum(3, true);
    const at = (grid: Tensor) => w.mul(grid).sum(3, true).div(total).add(0.5).div(r);
    return cat([at(col), at(row)], 3);
  });
}

/**
 * A spatial-softmax coordinate (in [−1, 1] over the centres of r cells) as a normalized image
 * coordinate (cell k's centre is (k + 0.5) / r, as in `heatmapPeak`).
 */
export function keypointToUv(x: number, r: number): number {
  return (((x + 1) * (r - 1)) / 2 + 0.5) / r;
}

/** Keypoint channels of the spatial softmax (each gives one (x, y)). */
const KEYPOINT_CHANNELS = 32;

/**
 * Image + text + state (+ optional embodiment) tokens → the prefix the action expert attends to.
 * Attention inside the prefix is bidirectional over real tokens (padding masked out).
 */
export class PrefixEncoder extends nn.Module {
  vision: VisionEncoder;
  textEmbed: nn.Embedding;
  textPos: nn.Embedding;
  stateProj: nn.Linear;
  embodimentEmbed: nn.Embedding | undefined;
  /** With FiLM: one block over the instruction alone, pooled into the vision condition. */
  textEncoder: Block | undefined;
  textPoolLn: nn.LayerNorm | undefined;
  /** Auxiliary task: a learned query token (last in the prefix) and its read-out. */
  auxQuery: nn.Embedding | undefined;
  auxHead: nn.Linear | undefined;
  /**
   * A second, shallow read-out of the auxiliary targets straight from every camera's keypoints
   * (Levine et al. 2016 pre-train feature points by regressing object positions this way): its
   * gradient reaches the (FiLM-conditioned) stem without passing through the backbone.
   */
  auxKeypoints: nn.Linear | undefined;
  /** Learned forward kinematics (`eeDim` > 0): normalized state → normalized end-effector positions. */
  kinematics: Mlp | undefined;
  /** The geometry token for the action expert: auxiliary read-out and kinematics → one prefix token. */
  geometry: nn.Linear | undefined;
  /**
   * The peak read-out (`peakReadout`): every camera's focus-heatmap peaks (object and destination
   * u, v; without gradient) → the auxiliary targets. Where the heatmaps peak does not depend on the
   * arm's pose the way the query token's read-out learned to.
   */
  peakHead: Mlp | undefined;
  /**
   * The cast read-out (`castReadout`): the first camera's object and destination u, v and the
   * body (one-hot) → the auxiliary targets; trained on labelled pixels, read from heatmap peaks.
   */
  castHead: Mlp | undefined;
  blocks: Block[];
  lnOut: nn.LayerNorm;
  constructor(readonly cfg: ModelConfig) {
    super();
    this.vision = new VisionEncoder(cfg);
    this.textEmbed = new nn.Embedding(cfg.vocabSize, cfg.dModel);
    this.textPos = new nn.Embedding(cfg.maxTextTokens, cfg.dModel);
    this.stateProj = new nn.Linear(cfg.maxStateDim, cfg.dModel);
    this.embodimentEmbed = cfg.embodimentToken
      ? new nn.Embedding(Math.max(1, Object.keys(cfg.embodiments).length), cfg.dModel)
      : undefined;
    this.blocks = Array.from(
      { length: cfg.backboneLayers },
      () => new Block(cfg.dModel, cfg.heads, cfg.mlpRatio),
    );
    this.lnOut = new nn.LayerNorm(cfg.dModel);
    if (cfg.visionFilm) {
      this.textEncoder = new Block(cfg.dModel, cfg.heads, cfg.mlpRatio);
      this.textPoolLn = new nn.LayerNorm(cfg.dModel);
    }
    if (cfg.auxDim > 0) {
      this.auxQuery = new nn.Embedding(1, cfg.dModel);
      this.auxHead = new nn.Linear(cfg.dModel, cfg.auxDim);
      if (cfg.visionKeypoints > 0)
        this.auxKeypoints = new nn.Linear(cfg.maxCameras * 2 * KEYPOINT_CHANNELS, cfg.auxDim);
    }
    if (cfg.peakReadout && cfg.auxDim > 0 && cfg.focusWeight > 0)
      this.peakHead = new Mlp(cfg.maxCameras * 4, PEAK_HIDDEN, cfg.auxDim);
    if (cfg.castReadout && cfg.auxDim > 0 && cfg.focusWeight > 0)
      this.castHead = new Mlp(4 + this.bodies(), PEAK_HIDDEN, cfg.auxDim);
    if (cfg.eeDim > 0) {
      this.kinematics = new Mlp(cfg.maxStateDim, KINEMATICS_HIDDEN, cfg.eeDim);
      this.geometry = new nn.Linear(cfg.auxDim + cfg.eeDim, cfg.dModel);
    }
    smallInit(this.textEmbed, this.textPos, this.embodimentEmbed, this.auxQuery);
  }

  /** The kinematics' prediction [B, eeDim] (normalized end-effector positions); undefined without. */
  eePrediction(b: TensorBatch): Tensor | undefined {
    return this.kinematics?.forward(b.state);
  }

  /**
   * The geometry token [B, 1, D] (`eeDim` > 0): a linear map of where the hand is (kinematics) and,
   * with the auxiliary task, where the object and destination are (the peak read-out when the
   * model has one, else the query token's), both without
   * gradient: the action expert learns to act on them, the losses that train them stay their own.
   */
  geometryToken(r: Readouts): Tensor | undefined {
    if (!this.geometry || !r.ee) return undefined;
    const parts = [r.ee.detach()];
    const where = whereReadout(r);
    if (where) parts.unshift(where.detach());
    return this.geometry.forward(cat(parts, 1)).unsqueeze(1);
  }

  /**
   * The geometry token's inputs for training with `geometryTeacher`: the batch's labels (normalized
   * object and destination, hand positions) on the rows and entries that have them, the read-outs
   * elsewhere. The read-outs' own losses still use `r`.
   */
  teacherReadouts(b: TensorBatch, r: Readouts): Readouts {
    const mix = (label: Tensor | undefined, m: Tensor | undefined, pred: Tensor | undefined) =>
      label && m && pred ? label.mul(m).add(pred.detach().mul(m.neg().add(1))) : pred;
    return {
      aux: mix(b.aux, b.auxMask, whereReadout(r)),
      ee: mix(b.ee, b.eeMask, r.ee),
    };
  }

  /**
   * Both read-outs of a backbone pass, computed once: the auxiliary "where" prediction (when the
   * batch has targets for it or `always`) and the kinematics' hand positions. The geometry token
   * and `auxLoss` share them.
   */
  readouts(prefix: Tensor, b: TensorBatch, maps?: KeypointMaps, always = false): Readouts {
    const needAux = always || (b.aux !== undefined && b.auxMask !== undefined);
    return {
      aux: needAux ? this.auxPrediction(prefix, b, maps) : undefined,
      ee: this.eePrediction(b),
      peak: needAux ? this.peakPrediction(b, maps) : undefined,
      cast:
        needAux && maps && this.castHead
          ? this.castPrediction(b, heatmapPeaks(maps.heat).narrow(1, 0, 1).reshape(b.size, 4))
          : undefined,
    };
  }

  /** Bodies the model knows (the cast read-out's one-hot width; at least 1). */
  private bodies(): number {
    return Math.max(1, Object.keys(this.cfg.embodiments).length);
  }

  /**
   * The cast read-out [B, auxDim] from the first camera's object and destination `uv` [B, 4]
   * (normalized image coordinates: the heatmaps' peaks, or labels in training); undefined without
   * `castReadout`.
   */
  castPrediction(b: TensorBatch, uv: Tensor): Tensor | undefined {
    if (!this.castHead) return undefined;
    const body = F.oneHot(b.embodimentIdx, this.bodies()).float();
    return this.castHead.forward(cat([uv.sub(0.5), body], 1));
  }

  /**
   * The peak read-out [B, auxDim] (normalized environment state) from the focus heatmaps' peaks in
   * every camera (missing cameras and padding slots zeroed); undefined without `peakReadout`.
   */
  peakPrediction(b: TensorBatch, maps?: KeypointMaps): Tensor | undefined {
    if (!this.peakHead || !maps) return undefined;
    const B = b.size;
    const C = b.imageMask.shape[1];
    let uv = heatmapPeaks(maps.heat).reshape(B, C, 4).sub(0.5).mul(b.imageMask.float().unsqueeze(2));
    if (C < this.cfg.maxCameras) uv = cat([uv, zeros([B, this.cfg.maxCameras - C, 4])], 1);
    return this.peakHead.forward(uv.reshape(B, this.cfg.maxCameras * 4));
  }

  /**
   * Prefix tokens [B, P, D] (before the backbone), the key mask [B, P] (bool), and the keypoint
   * head's maps (when the encoder has keypoints).
   */
  embed(b: TensorBatch): { tokens: Tensor; mask: Tensor; maps?: KeypointMaps } {
    const G2 = tokensPerCamera(this.cfg);
    const B = b.size;
    const L = this.cfg.maxTextTokens;
    const text = this.textEmbed
      .forward(b.textIds)
      .add(this.textPos.forward(arange(0, L, 1, { dtype: 'int64' })).unsqueeze(0)); // [B, L, D]
    const { tokens: img, maps } = this.vision.encode(b.images, this.instructionCondition(text, b.textMask)); // [B, C·T, D]
    const C = b.imageMask.shape[1];
    const imgMask = b.imageMask
      .unsqueeze(2)
      .expand(B, C, G2)
      .reshape(B, C * G2);
    const state = this.stateProj.forward(b.state).unsqueeze(1); // [B, 1, D]
    const parts = [img, text, state];
    const masks = [imgMask, b.textMask, b.textMask.narrow(1, 0, 1)]; // the state token is always real (<bos> is)
    if (this.embodimentEmbed) {
      parts.push(this.embodimentEmbed.forward(b.embodimentIdx).unsqueeze(1));
      masks.push(b.textMask.narrow(1, 0, 1));
    }
    if (this.auxQuery) {
      // Last in the prefix, so `auxLoss` finds it at position P − 1.
      parts.push(this.auxQuery.weight.unsqueeze(0).expand(B, 1, this.cfg.dModel));
      masks.push(b.textMask.narrow(1, 0, 1));
    }
    return { tokens: cat(parts, 1), mask: cat(masks, 1), maps };
  }

  /**
   * The auxiliary losses, summed: the MSE between the read-out (`auxPrediction`, from the backbone
   * output `prefix` [B, P, D]) and the batch's normalized targets over rows that have one, times
   * `auxWeight`; and the dense `focusLoss` times `focusWeight`. Undefined when neither applies (no
   * task in the model or no targets in the batch).
   */
  auxLoss(
    prefix: Tensor,
    b: TensorBatch,
    maps?: KeypointMaps,
    r: Readouts = this.readouts(prefix, b, maps),
  ): Tensor | undefined {
    let loss: Tensor | undefined;
    // Both "where" read-outs (the query token's and the peak read-out) learn the same labelled rows.
    for (const pred of [r.aux, r.peak]) {
      if (!pred || !b.aux || !b.auxMask) continue;
      const se = pred.sub(b.aux).pow(2).mul(b.auxMask);
      const k = se.sum().div(b.auxMask.sum().mul(this.cfg.auxDim).clamp(1)).mul(this.cfg.auxWeight);
      loss = loss ? loss.add(k) : k;
    }
    // The cast read-out learns the camera from labelled pixels: perception scenes (rows without an
    // action chunk; in demonstrations the object is often held in the air, where its pixel's ray
    // does not say where it is) with both points in view.
    if (this.castHead && b.aux && b.auxMask && b.focus && b.focusMask) {
      const B = b.size;
      const seen = b.focusMask.narrow(1, 0, 1).reshape(B, 2);
      let m = b.auxMask.mul(seen.narrow(1, 0, 1)).mul(seen.narrow(1, 1, 1)); // [B, 1]
      if (b.actionMask) {
        const [, H, A] = b.actionMask.shape;
        m = m.mul(
          b.actionMask
            .reshape(B, H * A)
            .max(1, true)
            .neg()
            .add(1),
        );
      }
      const pred = this.castPrediction(b, b.focus.narrow(1, 0, 1).reshape(B, 4))!;
      const se = pred.sub(b.aux).pow(2).mul(m);
      const k = se.sum().div(m.sum().mul(this.cfg.auxDim).clamp(1)).mul(this.cfg.auxWeight);
      loss = loss ? loss.add(k) : k;
    }
    if (this.cfg.focusWeight > 0 && maps && b.focus && b.focusMask) {
      const f = focusLoss(maps.heat, b.focus, b.focusMask).mul(this.cfg.focusWeight);
      loss = loss ? loss.add(f) : f;
    }
    if (r.ee && b.ee && b.eeMask) {
      const se = r.ee.sub(b.ee).pow(2).mul(b.eeMask);
      const k = se.sum().div(b.eeMask.sum().clamp(1)).mul(this.cfg.eeWeight);
      loss = loss ? loss.add(k) : k;
    }
    return loss;
  }

  /**
   * The auxiliary read-out [B, auxDim] (normalized environment state): the query token's output
   * plus, with keypoints, a linear map of every camera's keypoints. Undefined without the task.
   */
  auxPrediction(prefix: Tensor, b: TensorBatch, maps?: KeypointMaps): Tensor | undefined {
    if (!this.auxHead) return undefined;
    const P = prefix.shape[1];
    let pred = this.auxHead.forward(prefix.narrow(1, P - 1, 1).squeeze(1)); // [B, X]
    if (this.auxKeypoints && maps) {
      // Missing cameras' keypoints are zeroed; slots past the batch's cameras are zero padding.
      const B = b.size;
      const C = b.imageMask.shape[1];
      const W = 2 * KEYPOINT_CHANNELS;
      let kp = maps.keypoints.reshape(B, C, W).mul(b.imageMask.float().unsqueeze(2));
      if (C < this.cfg.maxCameras) kp = cat([kp, zeros([B, this.cfg.maxCameras - C, W])], 1);
      pred = pred.add(this.auxKeypoints.forward(kp.reshape(B, this.cfg.maxCameras * W)));
    }
    return pred;
  }

  /** FiLM condition [B, D]: the instruction through one block, mean-pooled over real tokens. */
  private instructionCondition(text: Tensor, textMask: Tensor): Tensor | undefined {
    if (!this.textEncoder || !this.textPoolLn) return undefined;
    const t = this.textEncoder.forward(text, textMask.unsqueeze(1).unsqueeze(1));
    const m = textMask.float().unsqueeze(2); // [B, L, 1]
    return this.textPoolLn.forward(t.mul(m).sum(1).div(m.sum(1).clamp(1)));
  }

  /** The backbone: prefix [B, P, D] after the transformer, and its key mask [B, P]. */
  forward(b: TensorBatch): { prefix: Tensor; mask: Tensor; maps?: KeypointMaps } {
    const { tokens, mask, maps } = this.embed(b);
    const attn = mask.unsqueeze(1).unsqueeze(1); // [B, 1, 1, P]
    let x = tokens;
    for (const blk of this.blocks) x = blk.forward(x, attn);
    return { prefix: this.lnOut.forward(x), mask, maps };
  }
}

/** Embedding tables start at N(0, 0.02²) (GPT-style) instead of N(0, 1). */
export function smallInit(...mods: Array<nn.Embedding | undefined>): void {
  noGrad(() => {
    for (const m of mods) m?.weight.mulInPlace(0.02);
  });
}

/** Hidden width of the learned kinematics. */
const KINEMATICS_HIDDEN = 256;
/** Hidden width of the peak read-out (a camera's image coordinates → table coordinates). */
const PEAK_HIDDEN = 128;

/** Two hidden GELU layers: a smooth map from a few numbers to a few numbers (forward kinematics). */
export class Mlp extends nn.Module {
  a: nn.Linear;
  b: nn.Linear;
  c: nn.Linear;
  constructor(inDim: number, hidden: number, outDim: number) {
    super();
    this.a = new nn.Linear(inDim, hidden);
    this.b = new nn.Linear(hidden, hidden);
    this.c = new nn.Linear(hidden, outDim);
  }
  forward(x: Tensor): Tensor {
    return this.c.forward(F.gelu(this.b.forward(F.gelu(this.a.forward(x)))));
  }
}
