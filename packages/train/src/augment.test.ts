import { Rng } from '@robofm/policy';
import { describe, expect, it } from 'vitest';
import { augmentBatch, dropState, noiseInstructions } from './augment.ts';
import type { ArrayBatch, RawSample } from '@robofm/policy';

const batch = (B: number, D: number): ArrayBatch =>
  ({ size: B, state: Float32Array.from({ length: B * D }, (_, i) => i + 1) }) as unknown as ArrayBatch;

describe('state dropout', () => {
  it('zeroes whole samples at about the asked rate and leaves the others untouched', () => {
    const D = 4;
    const b = batch(2000, D);
    dropState(b, D, 0.3, new Rng(7));
    let dropped = 0;
    for (let i = 0; i < b.size; i++) {
      const row = Array.from(b.state.subarray(i * D, (i + 1) * D));
      if (row.every((v) => v === 0)) dropped++;
      else expect(row).toEqual([1, 2, 3, 4].map((k) => i * D + k));
    }
    expect(dropped / b.size).toBeGreaterThan(0.25);
    expect(dropped / b.size).toBeLessThan(0.35);
  });

  it('p = 0 changes nothing', () => {
    const b = batch(10, 3);
    const before = Float32Array.from(b.state);
    dropState(b, 3, 0, new Rng(1));
    expect(b.state).toEqual(before);
  });
});

describe('image augmentation', () => {
  it('moves the focus labels with the shifted image and drops the ones shifted out of view', () => {
    const S = 32;
    // One camera image with a single bright pixel at (x, y) = (10, 20); focus labels on it and near the edge.
    const images = new Float32Array(3 * S * S).fill(-1);
    for (let ch = 0; ch < 3; ch++) images[ch * S * S + 20 * S + 10] = 1;
    const b = {
      size: 1,
      cameras: 1,
      images,
      imageMask: Uint8Array.of(1),
      focus: Float32Array.of(10.5 / S, 20.5 / S, 0.5 / S, 0.5 / S),
      focusMask: Float32Array.of(1, 1),
    } as unknown as ArrayBatch;
    let seen = 0;
    for (let seed = 0; seed < 20; seed++) {
      const c = {
        ...b,
        images: Float32Array.from(images),
        focus: Float32Array.from(b.focus!),
        focusMask: Float32Array.of(1, 1),
      };
      augmentBatch(c, S, new Rng(seed));
      // The brightest pixel is where the label now points.
      let best = 0;
      for (let i = 1; i < S * S; i++) if (c.images[i] > c.images[best]) best = i;
      expect(Math.floor(c.focus[0] * S)).toBe(best % S);
      expect(Math.floor(c.focus[1] * S)).toBe(Math.floor(best / S));
      // The corner label survives only while still in view.
      const inView = c.focus[2] >= 0 && c.focus[3] >= 0;
      expect(c.focusMask[1]).toBe(inView ? 1 : 0);
      if (!inView) seen++;
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('instruction noise', () => {
  it('inserts 1-3 made-up words into about p of the instructions, keeping every original word in order', () => {
    const base = 'put the red cube in the blue bin';
    const samples = Array.from({ length: 1000 }, () => ({ instruction: base }) as RawSample);
    noiseInstructions(samples, 0.5, new Rng(3));
    let changed = 0;
    for (const s of samples) {
      if (s.instruction === base) continue;
      changed++;
      const words = s.instruction.split(' ');
      expect(words.length - 8).toBeGreaterThanOrEqual(1);
      expect(words.length - 8).toBeLessThanOrEqual(3);
      // Removing the inserted words gives the original back.
      let i = 0;
      for (const w of words) if (i < 8 && w === base.split(' ')[i]) i++;
      expect(i).toBe(8);
      for (const w of words) expect(w).toMatch(/^[a-z]{2,7}$/);
    }
    expect(changed / samples.length).toBeGreaterThan(0.45);
    expect(changed / samples.length).toBeLessThan(0.55);
    const same = [{ instruction: base } as RawSample];
    noiseInstructions(same, 0, new Rng(3));
    expect(same[0].instruction).toBe(base);
  });
});
