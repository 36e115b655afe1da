import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG, type ModelConfig, toModelActions } from './config.ts';
import { instructionCorpus } from './instruction-corpus.ts';
import { computeFeatureStats, normalizeVector, unnormalizeVector } from './normalize.ts';
import { Processor } from './processor.ts';
import { BpeTokenizer } from './tokenizer.ts';

describe('normalization', () => {
  const rows = Array.from({ length: 200 }, (_, i) => [Math.sin(i) * 2 + 1, i * 0.01 - 3, 0.5]);
  const stats = computeFeatureStats(rows, 3);

  for (const mode of ['zscore', 'quantile'] as const) {
    it(`${mode}: unnormalize(normalize(x)) == x (constant dims map to their center)`, () => {
      for (const r of rows.slice(0, 20)) {
        const y = normalizeVector(r, stats, mode);
        const back = unnormalizeVector(y, stats, mode);
        expect(back[0]).toBeCloseTo(r[0], 5);
        expect(back[1]).toBeCloseTo(r[1], 5);
        expect(y[2]).toBe(0);
        expect(back[2]).toBeCloseTo(0.5, 6);
      }
    });
  }

  it('zscore output has ~zero mean and unit std', () => {
    const ys = rows.map((r) => normalizeVector(r, stats, 'zscore')[0]);
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    const v = ys.reduce((a, b) => a + (b - m) ** 2, 0) / ys.length;
    expect(Math.abs(m)).toBeLessThan(1e-5);
    expect(v).toBeCloseTo(1, 4);
  });

  it('the processor pads, masks, and unpads actions back to robot units', () => {
    const cfg: ModelConfig = {
      ...DEFAULT_MODEL_CONFIG,
      actionMode: 'absolute',
      imageSize: 8,
      horizon: 4,
      maxCameras: 2,
      embodiments: {
        bot: {
          stateDim: 3,
          actionDim: 3,
          cameras: [
            { name: 'cam', width: 16, height: 12 },
            { name: 'cam2', width: 16, height: 12 },
          ],
          controlHz: 10,
        },
      },
    };
    const ns = { bot: { state: stats, action: stats } };
    const p = new Processor(cfg, ns, BpeTokenizer.train(instructionCorpus(), 300));
    const actions = Float32Array.from(rows.slice(0, 4).flat());
    const b = p.collate([
      {
        embodiment: 'bot',
        images: { cam: new Uint8Array(16 * 12 * 3).fill(255) },
        state: rows[5],
        instruction: 'push the red block',
        actions,
        actionValid: [1, 1, 1, 0],
      },
    ]);
    expect(b.cameras).toBe(2);
    expect([...b.imageMask]).toEqual([1, 0]); // cam2 missing from this observation: masked
    expect(b.images[0]).toBeCloseTo(1, 5);
    expect(b.images[8 * 8 * 3]).toBe(0); // the missing camera slot stays zero
    const A = cfg.maxActionDim;
    expect(b.actionMask![0]).toBe(1);
    expect(b.actionMask![3]).toBe(0); // padded dim
    expect(b.actionMask![3 * A]).toBe(0); // padded step
    const back = p.unpadActions('bot', b.actions!, 0, rows[5]);
    for (let i = 0; i < 9; i++) expect(back[i]).toBeCloseTo(actions[i], 4);
    expect(() => p.collate([{ embodiment: 'nope', images: {}, state: [0], instruction: '' }])).toThrow(
      /embodiment/,
    );
    expect(() => p.collate([{ embodiment: 'bot', images: {}, state: [0], instruction: '' }])).toThrow(
      /state/,
    );
  });

  it('delta actions: chunks are learned relative to the state and come back in robot units', () => {
    const e = {
      stateDim: 3,
      actionDim: 3,
      cameras: [],
      controlHz: 10,
      deltaIndex: [0, 1, -1],
    };
    const cfg: ModelConfig = {
      ...DEFAULT_MODEL_CONFIG,
      horizon: 2,
      actionMode: 'delta',
      embodiments: { bot: e },
    };
    const state = [1, 2, 3];
    const actions = Float32Array.from([1.5, 2.5, 0.04, 2, 3, 0]);
    const rel = toModelActions(cfg, e, state, actions);
    expect([...rel].map((v) => +v.toFixed(5))).toEqual([0.5, 0.5, 0.04, 1, 1, 0]);
    const ns = {
      bot: {
        state: computeFeatureStats([state, [0, 0, 0]], 3),
        action: computeFeatureStats(
          [
            [0.5, 0.5, 0],
            [1, 1, 0.04],
          ],
          3,
        ),
      },
    };
    const p = new Processor(cfg, ns, BpeTokenizer.train(instructionCorpus(), 300));
    const b = p.collate([{ embodiment: 'bot', images: {}, state, instruction: 'x', actions }]);
    const back = p.unpadActions('bot', b.actions!, 0, state);
    for (let i = 0; i < 6; i++) expect(back[i]).toBeCloseTo(actions[i], 5);
  });
});
