/**
 * The one typed interface to the native addon (build/Release/robofm_torch.node). Everything here is
 * raw: tensors are numeric handles into the addon's handle table; only the rest of this package
 * touches this file. Codes below mirror native/*.cpp.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A native tensor handle (generation << 24 | slot); -1 marks a disposed tensor. */
export type Handle = number;
type H = Handle;
type Opt<T> = T | null | undefined;

export interface NativeTorch {
  init(errorCtor: unknown, freeQueue: ArrayBuffer): void;
  flush(): void;
  dispose(h: H): boolean;
  disposeMany(hs: H[]): void;
  isLive(h: H): boolean;
  liveTensors(): number;
  liveBytesNative(): number;
  generatorNew(seed: number): number;
  generatorSeed(g: number, seed: number): void;
  generatorFree(g: number): void;
  manualSeed(seed: number): void;
  fromData(
    data: ArrayBufferView,
    shape: number[],
    src: number,
    dst: number,
    device: number,
    requiresGrad: boolean,
  ): H;
  full(shape: number[], value: number | boolean, dtype: number, device: number, requiresGrad: boolean): H;
  zeros(shape: number[], dtype: number, device: number, requiresGrad: boolean): H;
  ones(shape: number[], dtype: number, device: number, requiresGrad: boolean): H;
  empty(shape: number[], dtype: number, device: number): H;
  arange(start: number, end: number, step: number, dtype: number, device: number): H;
  linspace(start: number, end: number, steps: number, dtype: number, device: number): H;
  eye(n: number, m: number, dtype: number, device: number): H;
  randn(shape: number[], gen: number, dtype: number, device: number, requiresGrad: boolean): H;
  rand(shape: number[], gen: number, dtype: number, device: number, requiresGrad: boolean): H;
  randint(low: number, high: number, shape: number[], gen: number, dtype: number, device: number): H;
  multinomial(probs: H, n: number, replacement: boolean, gen: number): H;
  initUniform(t: H, low: number, high: number, gen: number): void;
  initNormal(t: H, mean: number, std: number, gen: number): void;
  shape(t: H): number[];
  dtype(t: H): number;
  device(t: H): number;
  numel(t: H): number;
  toBuffer(t: H): ArrayBuffer;
  item(t: H): number;
  to(t: H, dtype: number, device: number, copy: boolean): H;
  clone(t: H): H;
  contiguous(t: H): H;
  detach(t: H): H;
  alias(t: H): H;
  copyInto(dst: H, src: H): void;
  requiresGrad(t: H): boolean;
  setRequiresGrad(t: H, v: boolean): void;
  isLeaf(t: H): boolean;
  backward(t: H, grad: Opt<H>, retainGraph: boolean): void;
  grad(t: H): H | null;
  setGrad(t: H, g: Opt<H>): void;
  zeroGrad(ts: H[]): void;
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setBlasThreads(n: number): boolean;
  getBlasThreads(): number;
  cudaAvailable(): boolean;
  cudaDeviceCount(): number;
  torchVersion(): string;
  // ops.cpp
  unary(code: number, t: H): H;
  binary(code: number, a: H, b: H): H;
  add(a: H, b: H): H;
  sub(a: H, b: H): H;
  mul(a: H, b: H): H;
  div(a: H, b: H): H;
  binaryScalar(code: number, a: H, s: number | boolean, reversed: boolean): H;
  clamp(t: H, min: Opt<number>, max: Opt<number>): H;
  where(c: H, a: H, b: H): H;
  maskedFill(t: H, mask: H, v: number | boolean): H;
  reduce(code: number, t: H, dims: Opt<number[] | number>, keepdim: boolean): H;
  varStd(isStd: boolean, t: H, dims: Opt<number[] | number>, unbiased: boolean, keepdim: boolean): H;
  argmax(isMin: boolean, t: H, dim: Opt<number>, keepdim: boolean): H;
  maxDim(isMin: boolean, t: H, dim: number, keepdim: boolean): [H, H];
  cumsum(t: H, dim: number): H;
  cumprod(t: H, dim: number): H;
  topk(t: H, k: number, dim: number, largest: boolean): [H, H];
  sort(t: H, dim: number, descending: boolean): [H, H];
  reshape(t: H, shape: number[]): H;
  view(t: H, shape: number[]): H;
  permute(t: H, dims: number[]): H;
  transpose(t: H, a: number, b: number): H;
  squeeze(t: H, dim: Opt<number>): H;
  unsqueeze(t: H, dim: number): H;
  expand(t: H, shape: number[]): H;
  flatten(t: H, start: number, end: number): H;
  narrow(t: H, dim: number, start: number, len: number): H;
  slice(t: H, dim: number, start: number, end: Opt<number>, step: number): H;
  indexSelect(t: H, dim: number, idx: H): H;
  gather(t: H, dim: number, idx: H): H;
  scatter(t: H, dim: number, idx: H, src: H, add: boolean): H;
  flip(t: H, dims: number[]): H;
  repeat(t: H, reps: number[]): H;
  cat(ts: H[], dim: number): H;
  stack(ts: H[], dim: number): H;
  split(t: H, sizes: number | number[], dim: number): H[];
  chunk(t: H, n: number, dim: number): H[];
  unbind(t: H, dim: number): H[];
  tril(t: H, k: number): H;
  triu(t: H, k: number): H;
  matmul(a: H, b: H): H;
  bmm(a: H, b: H): H;
  outer(a: H, b: H): H;
  linear(x: H, w: H, b: Opt<H>): H;
  einsum(eq: string, ts: H[]): H;
  // nn.cpp
  conv(
    nd: number,
    x: H,
    w: H,
    b: Opt<H>,
    stride: number[],
    padding: number[],
    dilation: number[],
    groups: number,
  ): H;
  convTranspose2d(
    x: H,
    w: H,
    b: Opt<H>,
    stride: number[],
    padding: number[],
    outputPadding: number[],
    groups: number,
    dilation: number[],
  ): H;
  maxPool2d(x: H, k: number[], s: number[], p: number[], d: number[], ceil: boolean): H;
  avgPool2d(x: H, k: number[], s: number[], p: number[], ceil: boolean, countIncludePad: boolean): H;
  adaptiveAvgPool2d(x: H, size: number[]): H;
  interpolate(x: H, size: number[], mode: number, alignCorners: boolean): H;
  layerNorm(x: H, shape: number[], w: Opt<H>, b: Opt<H>, eps: number): H;
  rmsNorm(x: H, shape: number[], w: Opt<H>, eps: number): H;
  groupNorm(x: H, groups: number, w: Opt<H>, b: Opt<H>, eps: number): H;
  batchNorm(
    x: H,
    w: Opt<H>,
    b: Opt<H>,
    rm: Opt<H>,
    rv: Opt<H>,
    training: boolean,
    momentum: number,
    eps: number,
  ): H;
  softmax(isLog: boolean, x: H, dim: number): H;
  dropout(x: H, p: number, training: boolean): H;
  embedding(idx: H, w: H, paddingIdx: Opt<number>): H;
  pad(x: H, pads: number[], value: number): H;
  oneHot(idx: H, n: number): H;
  loss(kind: number, a: H, b: H, reduction: number, beta: number): H;
  crossEntropy(x: H, t: H, w: Opt<H>, reduction: number, ignoreIndex: number, labelSmoothing: number): H;
  nllLoss(x: H, t: H, reduction: number, ignoreIndex: number): H;
  sdpa(q: H, k: H, v: H, mask: Opt<H>, causal: boolean, p: number, training: boolean, scale: Opt<number>): H;
  // optim.cpp
  adamwStep(
    params: H[],
    m: H[],
    v: H[],
    step: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    wd: number,
  ): void;
  sgdStep(
    params: H[],
    bufs: H[],
    lr: number,
    momentum: number,
    dampening: number,
    wd: number,
    nesterov: boolean,
    initialized: boolean,
  ): void;
  clipGradNorm(params: H[], maxNorm: number, normType: number): number;
  emaUpdate(ema: H[], params: H[], decay: number): void;
  copyMany(dst: H[], src: H[]): void;
  inplace(code: number, dst: H, other: H | number | null, alpha: Opt<number>, otherIsScalar: boolean): void;
}

export const UNARY = {
  neg: 0,
  abs: 1,
  exp: 2,
  log: 3,
  sqrt: 4,
  rsqrt: 5,
  sin: 6,
  cos: 7,
  tanh: 8,
  sigmoid: 9,
  relu: 10,
  gelu: 11,
  silu: 12,
  floor: 13,
  ceil: 14,
  round: 15,
  sign: 16,
  log1p: 17,
  expm1: 18,
  square: 19,
  reciprocal: 20,
  logicalNot: 21,
  geluTanh: 22,
  erf: 23,
  isnan: 24,
  softplus: 25,
  trunc: 26,
  frac: 27,
} as const;

export const BINARY = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  minimum: 5,
  maximum: 6,
  eq: 7,
  ne: 8,
  lt: 9,
  le: 10,
  gt: 11,
  ge: 12,
  logicalAnd: 13,
  logicalOr: 14,
  remainder: 15,
  atan2: 16,
  floorDivide: 17,
} as const;

export const REDUCE = {
  sum: 0,
  mean: 1,
  max: 2,
  min: 3,
  logsumexp: 4,
  prod: 5,
  all: 6,
  any: 7,
  norm: 8,
} as const;

/** Path of the built addon. */
export const ADDON_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'build',
  'Release',
  'robofm_torch.node',
);

function load(): NativeTorch {
  if (!existsSync(ADDON_PATH)) {
    throw new Error(
      `@robofm/torch: native addon not built (${ADDON_PATH} missing). Run \`npm run build -w packages/torch\` (or scripts/setup.sh).`,
    );
  }
  const require = createRequire(import.meta.url);
  return require(ADDON_PATH) as NativeTorch;
}

export const N: NativeTorch = load();
