export type { OptimizerState, ParamsInput } from './optimizer.ts';
export { Optimizer } from './optimizer.ts';
export type { AdamWOptions } from './adamw.ts';
export { AdamW } from './adamw.ts';
export type { SGDOptions } from './sgd.ts';
export { SGD } from './sgd.ts';
export type { Schedule } from './schedules.ts';
export { warmupCosine, constant, linearWarmup } from './schedules.ts';
export { EMA } from './ema.ts';
