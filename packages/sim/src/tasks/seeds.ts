import { ValidationError } from '@robofm/core';

/**
 * Scene seeds are split into disjoint ranges: training data is only ever generated from the train
 * range, evaluation only from the held-out range, so a policy is never scored on a scene it saw.
 */
export const TRAIN_SEEDS = { start: 0, end: 1_000_000 } as const; // [start, end)
export const HELDOUT_SEEDS = { start: 1_000_000, end: 2_000_000 } as const;

export type SeedSplit = 'train' | 'heldout';

export function seedSplit(seed: number): SeedSplit {
  if (!Number.isInteger(seed) || seed < TRAIN_SEEDS.start || seed >= HELDOUT_SEEDS.end)
    throw new ValidationError(
      'sceneSeed',
      seed,
      `an integer in [${TRAIN_SEEDS.start}, ${HELDOUT_SEEDS.end})`,
    );
  return seed < TRAIN_SEEDS.end ? 'train' : 'heldout';
}

/** The i-th scene seed of a split (i counts from 0 within the split). */
export function sceneSeed(split: SeedSplit, i: number): number {
  const r = split === 'train' ? TRAIN_SEEDS : HELDOUT_SEEDS;
  if (!Number.isInteger(i) || i < 0 || i >= r.end - r.start)
    throw new ValidationError(`${split} seed index`, i, `an integer in [0, ${r.end - r.start})`);
  return r.start + i;
}

/** Throws unless `seed` lies in `split`. Data collection calls this for every episode. */
export function assertSeedIn(split: SeedSplit, seed: number): number {
  const s = seedSplit(seed);
  if (s !== split) throw new ValidationError('sceneSeed', seed, `a ${split} scene seed (it is ${s})`);
  return seed;
}
