import type { ArrayBatch, RawSample, Rng } from '@robofm/policy';

/**
 * Training-only image augmentation on a collated batch (in place): a random shift of up to S/16
 * pixels (edge-clamped, like a pad-and-crop) and brightness/contrast jitter, per camera image.
 * Focus labels (`focus`, image coordinates) move with the image; a point shifted out of view loses
 * its label.
 */
export function augmentBatch(b: ArrayBatch, imageSize: number, rng: Rng): void {
  const S = imageSize;
  const plane = S * S;
  const maxShift = Math.max(1, Math.round(S / 16));
  const tmp = new Float32Array(plane);
  for (let i = 0; i < b.size * b.cameras; i++) {
    if (!b.imageMask[i]) continue;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const gain = 0.85 + 0.3 * rng.next();
    const bias = (rng.next() - 0.5) * 0.2;
    if (b.focus && b.focusMask)
      for (let k = 0; k < 2; k++) {
        // Output pixel x shows input pixel x + dx, so what was at u is now at u − dx/S.
        const u = (b.focus[i * 4 + 2 * k] -= dx / S);
        const v = (b.focus[i * 4 + 2 * k + 1] -= dy / S);
        if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) b.focusMask[i * 2 + k] = 0;
      }
    for (let ch = 0; ch < 3; ch++) {
      const off = (i * 3 + ch) * plane;
      const src = b.images.subarray(off, off + plane);
      for (let y = 0; y < S; y++) {
        const sy = Math.min(S - 1, Math.max(0, y + dy));
        for (let x = 0; x < S; x++) {
          const sx = Math.min(S - 1, Math.max(0, x + dx));
          const v = src[sy * S + sx] * gain + bias;
          tmp[y * S + x] = Math.max(-1, Math.min(1, v));
        }
      }
      src.set(tmp);
    }
  }
}

/**
 * State dropout (training only, in place): with probability `p` a sample's normalized state is
 * zeroed (the dataset mean), so the model must read where things are from its cameras instead of
 * extrapolating the arm's motion from proprioception (the "copycat" shortcut of behaviour cloning).
 */
export function dropState(b: ArrayBatch, stateDim: number, p: number, rng: Rng): void {
  if (p <= 0) return;
  for (let i = 0; i < b.size; i++) if (rng.next() < p) b.state.fill(0, i * stateDim, (i + 1) * stateDim);
}

/**
 * Instruction noise (training only, in place): with probability `p` a sample's instruction gets 1–3
 * made-up words (2–7 random lower-case letters) inserted at random word boundaries. The model
 * learns to read the words that name things and to ignore the template around them, where held-out
 * paraphrases bring words and word positions it never saw (word-insertion augmentation).
 */
export function noiseInstructions(samples: RawSample[], p: number, rng: Rng): void {
  if (p <= 0) return;
  for (const s of samples) {
    if (rng.next() >= p) continue;
    const words = s.instruction.split(' ');
    const n = 1 + rng.int(3);
    for (let k = 0; k < n; k++) {
      const len = 2 + rng.int(6);
      const w = Array.from({ length: len }, () => String.fromCharCode(97 + rng.int(26))).join('');
      words.splice(rng.int(words.length + 1), 0, w);
    }
    s.instruction = words.join(' ');
  }
}
