import { full, noGrad, randn, scope } from '@robofm/torch';
import { describe, expect, it } from 'vitest';
import { heatmapPeak, heatmapPeaks, keypointToUv, sharpenFocus, spatialSoftmax } from './backbone.ts';
import { DEFAULT_MODEL_CONFIG, type ModelConfig, tokensPerCamera, validateModelConfig } from './config.ts';
import { readCheckpointConfig } from './checkpoint.ts';
import { PrefixEncoder, type TensorBatch, VisionEncoder } from './backbone.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@robofm/torch';

/** A 16² two-layer stem with a 16-wide backbone, for encoder tests. */
function tinyVision(over: Partial<ModelConfig>): ModelConfig {
  return validateModelConfig({
    ...DEFAULT_MODEL_CONFIG,
    imageSize: 16,
    visionChannels: [8, 8],
    visionGrid: 2,
    dModel: 16,
    heads: 2,
    ...over,
  });
}

describe('spatial softmax keypoints', () => {
  it('a sharp peak gives its column as x and its row as y in [-1, 1]', () =>
    scope(() => {
      const r = 5;
      const c = 9;
      const logits = new Float32Array(2 * r * c);
      logits[0 * r * c + 1 * c + 7] = 60; // channel 0: row 1, col 7
      logits[1 * r * c + 4 * c + 0] = 60; // channel 1: row 4, col 0
      const out = spatialSoftmax(tensor(logits, { shape: [1, 2, r, c] })).toArray() as Float32Array;
      const lin = (i: number, n: number) => -1 + (2 * i) / (n - 1);
      expect(out[0]).toBeCloseTo(lin(7, c), 4); // x of channel 0
      expect(out[1]).toBeCloseTo(lin(0, c), 4); // x of channel 1
      expect(out[2]).toBeCloseTo(lin(1, r), 4); // y of channel 0
      expect(out[3]).toBeCloseTo(lin(4, r), 4); // y of channel 1
    }));

  it('sharpenFocus pulls the focus channels to their highest bump and leaves the others', () =>
    scope(() => {
      // Each of 3 channels: a bump of 3 at column 1 and a look-alike of 2.5 at column 7 (row 0).
      const r = 1;
      const c = 9;
      const logits = new Float32Array(3 * c);
      for (let k = 0; k < 3; k++) {
        logits[k * c + 1] = 3;
        logits[k * c + 7] = 2.5;
      }
      const t = tensor(logits, { shape: [1, 3, r, c] });
      const plain = spatialSoftmax(t).toArray() as Float32Array;
      const sharp = spatialSoftmax(sharpenFocus(t, 4)).toArray() as Float32Array;
      const peak = -1 + 2 / (c - 1);
      for (const k of [0, 1]) {
        expect(Math.abs(sharp[k] - peak)).toBeLessThan(0.2);
        expect(Math.abs(plain[k] - peak)).toBeGreaterThan(0.4);
      }
      expect(sharp[2]).toBeCloseTo(plain[2], 6);
      expect(sharpenFocus(t, 1)).toBe(t);
    }));

  it('keypointToUv puts a sharp keypoint where heatmapPeak puts the same peak', () =>
    scope(() => {
      const r = 12;
      for (const [row, col] of [
        [0, 0],
        [3, 9],
        [11, 5],
      ]) {
        const logits = new Float32Array(r * r);
        logits[row * r + col] = 80;
        const [x, y] = spatialSoftmax(tensor(logits, { shape: [1, 1, r, r] })).toArray() as Float32Array;
        const [u, v] = heatmapPeak(logits);
        expect(keypointToUv(x, r)).toBeCloseTo(u, 4);
        expect(keypointToUv(y, r)).toBeCloseTo(v, 4);
      }
    }));

  it('heatmapPeaks (torch, every map at once) agrees with heatmapPeak, corners and edges included', () =>
    scope(() => {
      const r = 12;
      const maps = 2 * 3 * 2; // B 2, C 3, K 2
      const logits = randn([2, 3, 2, r * r]).mul(2);
      const flat = logits.toFloat32Array();
      // put some maps' best cell in a corner and on an edge
      flat[0] = 50;
      flat[r * r + r * r - 1] = 50;
      flat[2 * r * r + 5] = 50;
      const peaks = heatmapPeaks(tensor(flat, { shape: [2, 3, 2, r * r] })).toFloat32Array();
      for (let m = 0; m < maps; m++) {
        const [u, v] = heatmapPeak(flat.subarray(m * r * r, (m + 1) * r * r));
        expect(peaks[2 * m]).toBeCloseTo(u, 5);
        expect(peaks[2 * m + 1]).toBeCloseTo(v, 5);
      }
    }));

  it('flat logits give the centre', () =>
    scope(() => {
      const out = spatialSoftmax(full([3, 4, 6, 6], 0.5)).toArray() as Float32Array;
      for (const v of out) expect(Math.abs(v)).toBeLessThan(1e-5);
    }));

  it('the encoder emits grid + keypoint tokens per camera, and moving a bright dot moves its output', () =>
    scope(() => {
      const cfg = tinyVision({ visionKeypoints: 3 });
      expect(tokensPerCamera(cfg)).toBe(7);
      const enc = new VisionEncoder(cfg);
      const img = (x: number) => {
        const px = new Float32Array(2 * 3 * 16 * 16).fill(-1);
        for (let ch = 0; ch < 3; ch++) px[ch * 256 + 8 * 16 + x] = 1;
        return tensor(px, { shape: [1, 2, 3, 16, 16] });
      };
      const a = enc.forward(img(2));
      expect(a.shape).toEqual([1, 2 * 7, 16]);
      const b = enc.forward(img(13));
      expect(a.sub(b).abs().max().item()).toBeGreaterThan(1e-4);
    }));

  it('checkpoints written before keypoints load with none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-'));
    const { visionKeypoints: _, ...model } = { ...DEFAULT_MODEL_CONFIG };
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ format: 'robofm-vla', version: 1, model, meta: {} }),
    );
    expect(readCheckpointConfig(dir).model.visionKeypoints).toBe(0);
    expect(readCheckpointConfig(dir).model.keypointLevels).toBe(1);
  });

  it('a negative keypoint count is refused, naming the field', () => {
    expect(() => validateModelConfig({ ...DEFAULT_MODEL_CONFIG, visionKeypoints: -1 })).toThrow(
      /model\.visionKeypoints/,
    );
  });

  it('FiLM starts as the identity, and once trained the instruction changes what the stem sees', () =>
    scope(() => {
      const cfg = tinyVision({
        visionKeypoints: 1,
        visionFilm: true,
        maxTextTokens: 4,
        embodiments: {
          bot: { stateDim: 2, actionDim: 2, cameras: [{ name: 'c', width: 16, height: 16 }], controlHz: 10 },
        },
      });
      const enc = new PrefixEncoder(cfg);
      const batch = (ids: number[]): TensorBatch => ({
        size: 1,
        images: tensor(
          Float32Array.from({ length: 3 * 256 }, (_, i) => Math.sin(i)),
          { shape: [1, 1, 3, 16, 16] },
        ),
        imageMask: tensor(new Uint8Array([1]), { shape: [1, 1], dtype: 'bool' }),
        textIds: tensor(Int32Array.from(ids), { shape: [1, 4], dtype: 'int64' }),
        textMask: tensor(new Uint8Array([1, 1, 1, 0]), { shape: [1, 4], dtype: 'bool' }),
        state: tensor(new Float32Array(cfg.maxStateDim), { shape: [1, cfg.maxStateDim] }),
        embodimentIdx: tensor(new Int32Array(1), { shape: [1], dtype: 'int64' }),
      });
      const imageTokens = (ids: number[]) => enc.embed(batch(ids)).tokens.narrow(1, 0, tokensPerCamera(cfg));
      const a0 = imageTokens([1, 5, 7, 0]);
      const b0 = imageTokens([1, 9, 3, 0]);
      expect(a0.sub(b0).abs().max().item()).toBe(0); // γ = β = 0 at init
      noGrad(() => enc.vision.film!.weight.addInPlace(randn(enc.vision.film!.weight.shape)));
      const a1 = imageTokens([1, 5, 7, 0]);
      const b1 = imageTokens([1, 9, 3, 0]);
      expect(a1.sub(b1).abs().max().item()).toBeGreaterThan(1e-3);
      // padding after the mask does not matter
      expect(imageTokens([1, 5, 7, 42]).sub(a1).abs().max().item()).toBeLessThan(1e-5);
    }));
});
