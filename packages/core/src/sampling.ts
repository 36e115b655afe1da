/**
 * Index of the entry that a uniform `u` in [0, 1) falls on over cumulative weights `cum`
 * (non-decreasing, last entry = the total): entry i is drawn with probability
 * (cum[i] − cum[i−1]) / total. Binary search, O(log n).
 */
export function pickCumulative(cum: ArrayLike<number>, u: number): number {
  const r = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The small seeded PRNG of sampling decisions outside the simulator (mulberry32 over a scrambled
 * seed): the data loader's shuffles and draws, the trainer's flow times, augmentations and batch
 * draws. Streams are reproducible from the seed on every platform. (Scenes and episodes use the
 * simulator's own generator, `@robofm/sim` `makeRng`, which defines the scene seeds.)
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    let z = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    this.s = (z ^ (z >>> 16)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Index drawn with probability proportional to weights (cumulative array, `pickCumulative`). */
  pick(cum: ArrayLike<number>): number {
    return pickCumulative(cum, this.next());
  }
  /** A child stream for (seed, a, b) without shared state. */
  static derive(seed: number, a: number, b = 0): Rng {
    return new Rng(
      Math.imul(seed + 1, 0x27d4eb2d) ^ Math.imul(a + 1, 0x165667b1) ^ Math.imul(b + 7, 0x9e3779b1),
    );
  }
}
