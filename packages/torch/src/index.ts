/**
 * @robofm/torch: libtorch for TypeScript through a native N-API addon.
 * Memory model: `scope(fn)` / `dispose()`; see scope.ts. Errors: `TorchError` with a stable `code`.
 */
export type { TensorOptions, RandomOptions } from './creation.ts';
export {
  tensor,
  zeros,
  ones,
  full,
  empty,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  randn,
  rand,
  randint,
  multinomial,
  manualSeed,
  Generator,
} from './creation.ts';
export type { DType, Device, TypedArray } from './dtype.ts';
export { DTYPES } from './dtype.ts';
export type { TorchErrorInput } from './errors.ts';
export { TorchError } from './errors.ts';
export type { Shape } from './tensor.ts';
export { Tensor } from './tensor.ts';
export type { MemoryInfo } from './scope.ts';
export {
  scope,
  scopeAsync,
  keep,
  dispose,
  noGrad,
  enableGrad,
  isGradEnabled,
  liveTensors,
  memory,
  nextStep,
} from './scope.ts';
export {
  cat,
  stack,
  split,
  chunk,
  where,
  matmul,
  bmm,
  outer,
  einsum,
  minimum,
  maximum,
  add,
  sub,
  mul,
  div,
  clipGradNorm,
  zeroGrad,
} from './ops.ts';
export {
  setNumThreads,
  getNumThreads,
  setBlasThreads,
  getBlasThreads,
  cuda,
  torchVersion,
  availableDevices,
} from './device.ts';
export * as F from './functional.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export type { SafetensorsContent } from './io/safetensors.ts';
export { saveSafetensors, loadSafetensors, encodeSafetensors, decodeSafetensors } from './io/safetensors.ts';
export type { GradcheckResult } from './gradcheck.ts';
export { gradcheck } from './gradcheck.ts';
export type { TorchBenchOptions, TorchBenchResult, ModelTiming } from './bench/torch-bench.ts';
export { benchTorch } from './bench/torch-bench.ts';
