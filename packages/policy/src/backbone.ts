import { F, nn, type Tensor, arange, cat, noGrad, tensor } from '@robofm/torch';
import type { ModelConfig } from './config.ts';
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
  ])
    t?.dispose();
}

/**
 * The visual cortex: a conv stem shared by every camera (stride-2 3×3 convs), average-pooled to a
 * `visionGrid`² token grid, projected to the backbone width, plus grid-position and camera-slot
 * embeddings.
 */
export class VisionEncoder extends nn.Module {
  convs: nn.Conv2d[];
  proj: nn.Linear;
  gridPos: nn.Embedding;
  cameraSlot: nn.Embedding;
  constructor(private readonly cfg: ModelConfig) {
    super();
    this.convs = [];
    let cin = 3;
    for (const cout of cfg.visionChannels) {
      this.convs.push(new nn.Conv2d(cin, cout, 3, { stride: 2, padding: 1 }));
      cin = cout;
    }
    this.proj = new nn.Linear(cin, cfg.dModel);
    this.gridPos = new nn.Embedding(cfg.visionGrid * cfg.visionGrid, cfg.dModel);
    this.cameraSlot = new nn.Embedding(cfg.maxCameras, cfg.dModel);
    smallInit(this.gridPos, this.cameraSlot);
  }
  /** images [B, C, 3, S, S] → tokens [B, C·G², D]. */
  forward(images: Tensor): Tensor {
    const [B, C, , S] = images.shape;
    const G = this.cfg.visionGrid;
    let x = images.reshape(B * C, 3, S, S);
    for (const conv of this.convs) x = F.gelu(conv.forward(x));
    const r = x.shape[2];
    if (r !== G) x = F.avgPool2d(x, r / G, { stride: r / G }); // [B·C, ch, G, G]
    const ch = x.shape[1];
    const tokens = this.proj.forward(x.reshape(B * C, ch, G * G).transpose(1, 2)); // [B·C, G², D]
    const pos = this.gridPos.forward(arange(0, G * G, 1, { dtype: 'int64' })); // [G², D]
    const slot = this.cameraSlot.forward(arange(0, C, 1, { dtype: 'int64' })); // [C, D]
    const D = this.cfg.dModel;
    return tokens
      .reshape(B, C, G * G, D)
      .add(pos.reshape(1, 1, G * G, D))
      .add(slot.reshape(1, C, 1, D))
      .reshape(B, C * G * G, D);
  }
}

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
    smallInit(this.textEmbed, this.textPos, this.embodimentEmbed);
  }

  /** Prefix tokens [B, P, D] (before the backbone) and the key mask [B, P] (bool). */
  embed(b: TensorBatch): { tokens: Tensor; mask: Tensor } {
    const G2 = this.cfg.visionGrid * this.cfg.visionGrid;
    const B = b.size;
    const img = this.vision.forward(b.images); // [B, C·G², D]
    const C = b.imageMask.shape[1];
    const imgMask = b.imageMask
      .unsqueeze(2)
      .expand(B, C, G2)
      .reshape(B, C * G2);
    const L = this.cfg.maxTextTokens;
    const text = this.textEmbed
      .forward(b.textIds)
      .add(this.textPos.forward(arange(0, L, 1, { dtype: 'int64' })).unsqueeze(0)); // [B, L, D]
    const state = this.stateProj.forward(b.state).unsqueeze(1); // [B, 1, D]
    const parts = [img, text, state];
    const masks = [imgMask, b.textMask, b.textMask.narrow(1, 0, 1)]; // the state token is always real (<bos> is)
    if (this.embodimentEmbed) {
      parts.push(this.embodimentEmbed.forward(b.embodimentIdx).unsqueeze(1));
      masks.push(b.textMask.narrow(1, 0, 1));
    }
    return { tokens: cat(parts, 1), mask: cat(masks, 1) };
  }

  /** The backbone: prefix [B, P, D] after the transformer, and its key mask [B, P]. */
  forward(b: TensorBatch): { prefix: Tensor; mask: Tensor } {
    const { tokens, mask } = this.embed(b);
    const attn = mask.unsqueeze(1).unsqueeze(1); // [B, 1, 1, P]
    let x = tokens;
    for (const blk of this.blocks) x = blk.forward(x, attn);
    return { prefix: this.lnOut.forward(x), mask };
  }
}

/** Embedding tables start at N(0, 0.02²) (GPT-style) instead of N(0, 1). */
export function smallInit(...mods: Array<nn.Embedding | undefined>): void {
  noGrad(() => {
    for (const m of mods) m?.weight.mulInPlace(0.02);
  });
}
