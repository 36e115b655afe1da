/** Small seeded PRNG (splitmix32 → mulberry32) for reproducible sampling decisions in JS. */
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
  /** A child stream for (seed, a, b) without shared state. */
  static derive(seed: number, a: number, b = 0): Rng {
    return new Rng(
      Math.imul(seed + 1, 0x27d4eb2d) ^ Math.imul(a + 1, 0x165667b1) ^ Math.imul(b + 7, 0x9e3779b1),
    );
  }
}
