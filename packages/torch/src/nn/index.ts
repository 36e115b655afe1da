export type { LoadResult } from './module.ts';
export { Module, ModuleList, Sequential, parameter, buffer } from './module.ts';
export type { LayerOptions, Activation } from './layers.ts';
export {
  Linear,
  Embedding,
  LayerNorm,
  RMSNorm,
  Conv2d,
  Dropout,
  MLP,
  BatchNorm2d,
  Identity,
  activate,
} from './layers.ts';
export type {
  AttentionForwardOptions,
  TransformerBlockOptions,
  TransformerBlockForwardOptions,
} from './attention.ts';
export { MultiheadAttention, TransformerBlock, KVCache } from './attention.ts';
export * as init from './init.ts';
