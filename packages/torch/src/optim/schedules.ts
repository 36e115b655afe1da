import { ValidationError } from '@robofm/core';

/** A learning-rate schedule: step (0-based) → lr. */
export type Schedule = (step: number) => number;

/**
 * Linear warmup from peak/warmup to `peak` over `warmup` steps, then cosine decay to `floor` at
 * `total`; `floor` after that.
 */
export function warmupCosine(o: { warmup: number; total: number; peak: number; floor?: number }): Schedule {
  const floor = o.floor ?? 0;
  if (!(o.warmup >= 0)) throw new ValidationError('warmup', o.warmup, 'a non-negative step count');
  if (!(o.total >= o.warmup))
    throw new ValidationError('total', o.total, `a step count >= warmup (${o.warmup})`);
  if (!(o.peak >= 0)) throw new ValidationError('peak', o.peak, 'a non-negative learning rate');
  return (step: number) => {
    if (step < o.warmup) return (o.peak * (step + 1)) / o.warmup;
    const span = Math.max(1, o.total - o.warmup);
    const progress = Math.min(1, (step - o.warmup) / span);
    return floor + (o.peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/** The same lr at every step. */
export function constant(lr: number): Schedule {
  if (!(lr >= 0)) throw new ValidationError('lr', lr, 'a non-negative learning rate');
  return () => lr;
}

/** Linear warmup to `peak`, then constant. */
export function linearWarmup(o: { warmup: number; peak: number }): Schedule {
  return (step: number) => (step < o.warmup ? (o.peak * (step + 1)) / o.warmup : o.peak);
}
