import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, manualSeed, optim, scope, tensor } from '@robofm/torch';
import { describe, expect, it } from 'vitest';
import { focusLoss, heatmapPeak, heatmapPeaks, toTensorBatch } from './backbone.ts';
import { type VlaModel, createModel, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from './config.ts';
import { instructionCorpus } from './instruction-corpus.ts';
import { LocalPolicy } from './local-policy.ts';
import { computeFeatureStats } from './normalize.ts';
import { type ArrayBatch, Processor, type RawSample } from './processor.ts';
import { Rng } from '@robofm/core';
import { BpeTokenizer } from './tokenizer.ts';

const TINY: ModelConfig = {
  ...DEFAULT_MODEL_CONFIG,
  imageSize: 16,
  visionChannels: [8, 8],
  visionGrid: 2,
  maxCameras: 2,
  dModel: 32,
  backboneLayers: 1,
  heads: 2,
  expertDim: 32,
  expertLayers: 1,
  expertHeads: 2,
  maxTextTokens: 8,
  horizon: 4,
  maxStateDim: 8,
  maxActionDim: 8,
  embodiments: {
    bot: { stateDim: 3, actionDim: 2, cameras: [{ name: 'cam', width: 16, height: 16 }], controlHz: 10 },
    duo: {
      stateDim: 4,
      actionDim: 4,
      cameras: [
        { name: 'a', width: 16, height: 16 },
        { name: 'b', width: 16, height: 16 },
      ],
      controlHz: 10,
    },
  },
};

/** 4 fixed examples whose action chunks depend on the state (learnable). */
function tinyData(): { samples: RawSample[]; processor: Processor } {
  const samples: RawSample[] = [];
  for (let i = 0; i < 4; i++) {
    const body = i % 2 === 0 ? 'bot' : 'duo';
    const e = TINY.embodiments[body];
    const state = Float32Array.from({ length: e.stateDim }, (_, k) => Math.sin(i + k));
    const actions = Float32Array.from({ length: TINY.horizon * e.actionDim }, (_, k) =>
      Math.cos(i * 0.7 + k * 0.3),
    );
    const images: Record<string, Uint8Array> = {};
    for (const c of e.cameras)
      images[c.name] = new Uint8Array(16 * 16 * 3).map((_, k) => (k * (i + 3)) & 255);
    samples.push({
      embodiment: body,
      state,
      actions,
      images,
      instruction: i < 2 ? 'pick the red cube' : 'press the button',
    });
  }
  const stats = (body: string) => {
    const e = TINY.embodiments[body];
    const rows = samples.filter((s) => s.embodiment === body);
    const acts = rows.flatMap((s) =>
      Array.from({ length: TINY.horizon }, (_, t) =>
        Array.from(s.actions!).slice(t * e.actionDim, (t + 1) * e.actionDim),
      ),
    );
    return {
      state: computeFeatureStats(
        rows.map((s) => Array.from(s.state)),
        e.stateDim,
      ),
      action: computeFeatureStats(acts, e.actionDim),
    };
  };
  const processor = new Processor(
    TINY,
    { bot: stats('bot'), duo: stats('duo') },
    BpeTokenizer.train(instructionCorpus(), 300),
  );
  return { samples, processor };
}

function fit(kind: 'flow' | 'token', steps: number): { first: number; last: number; model: VlaModel } {
  manualSeed(0);
  const cfg = { ...TINY, kind };
  const { samples, processor } = tinyData();
  const model = createModel(cfg);
  const params = model.parameters();
  const opt = new optim.AdamW(params, { lr: 3e-3, weightDecay: 0 });
  const arr = processor.collate(samples);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const l = scope(() => {
      const tb = toTensorBatch(arr, cfg);
      const loss = model.computeLoss(tb, Rng.derive(0, s), new Generator(s));
      loss.backward();
      opt.step();
      return loss.item();
    });
    opt.zeroGrad();
    losses.push(l);
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: avg(losses.slice(0, 5)), last: avg(losses.slice(-5)), model };
}

/** `steps` AdamW steps (lr 3e-3) on one fixed batch; the auxiliary loss of each. */
function fitAux(model: VlaModel, arr: ArrayBatch, cfg: ModelConfig, steps: number): number[] {
  const opt = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0 });
  const aux: number[] = [];
  for (let s = 0; s < steps; s++) {
    scope(() => {
      const loss = model.computeLoss(toTensorBatch(arr, cfg), Rng.derive(0, s), new Generator(s));
      loss.backward();
      opt.step();
    });
    opt.zeroGrad();
    aux.push(model.lastAuxLoss!);
  }
  return aux;
}

/**
 * `bot` frames of a 4×4 white square on black at a random place of the 16² image (cells of the 4²
 * map are 4 px), labelled as the focus's object (the destination out of view).
 */
function squareSamples(
  n: number,
  rng: Rng,
  horizon: number,
): Array<{ sample: RawSample; x0: number; y0: number }> {
  return Array.from({ length: n }, () => {
    const x0 = 4 * rng.int(4);
    const y0 = 4 * rng.int(4);
    const img = new Uint8Array(16 * 16 * 3);
    for (let y = y0; y < y0 + 4; y++) img.fill(255, (y * 16 + x0) * 3, (y * 16 + x0 + 4) * 3);
    const sample: RawSample = {
      embodiment: 'bot',
      images: { cam: img },
      state: [0, 0, 0],
      instruction: 'pick the cube',
      actions: new Float32Array(horizon * 2),
      focusUv: { cam: [(x0 + 2) / 16, (y0 + 2) / 16, -1, -1] },
    };
    return { sample, x0, y0 };
  });
}

/**
 * A read-out model (`over`: the read-out option) on 12 square frames whose "table coordinates" are an
 * affine map of the square's image position; `dest` puts the destination's pixel in view.
 */
function readoutFixture(over: Partial<ModelConfig>, seed: number, dest?: [number, number]) {
  const cfg: ModelConfig = {
    ...TINY,
    focusWeight: 1,
    auxDim: 2,
    auxWeight: 1,
    eeDim: 3,
    eeWeight: 1,
    ...over,
  };
  const { processor: p0 } = tinyData();
  const samples: RawSample[] = squareSamples(12, new Rng(seed), cfg.horizon).map(({ sample, x0, y0 }) => ({
    ...sample,
    state: [0.1, 0.2, 0.3],
    envState: [0.3 * x0 - 1, 0.5 - 0.2 * y0],
    ...(dest ? { focusUv: { cam: [(x0 + 2) / 16, (y0 + 2) / 16, ...dest] } } : {}),
    eePos: [0, 0, 1],
  }));
  const stats = {
    ...p0.normStats,
    bot: {
      ...p0.normStats.bot,
      env: computeFeatureStats(
        samples.map((x) => x.envState!),
        2,
      ),
      ee: computeFeatureStats([[0, 0, 1]], 3),
    },
  };
  const processor = new Processor(cfg, stats, p0.tokenizer);
  const model = createModel(cfg) as import('./flow-vla.ts').FlowVla;
  return { cfg, samples, processor, model, bb: model.backbone };
}

/** On unlabelled frames the action loss reaches the geometry token but not the read-out `head`. */
function expectTokenReadsWithoutGradient(
  f: ReturnType<typeof readoutFixture>,
  head: () => { a: { weight: { grad: import('@robofm/torch').Tensor | null } } },
): void {
  f.model.zeroGrad();
  const noLabels = f.processor.collate(
    f.samples.map(({ envState: _, eePos: __, focusUv: ___, ...rest }) => rest),
  );
  scope(() =>
    f.model.computeLoss(toTensorBatch(noLabels, f.cfg), Rng.derive(0, 0), new Generator(0)).backward(),
  );
  const g = head().a.weight.grad;
  expect(g === null || g.abs().sum().item() === 0).toBe(true);
  expect(f.bb.geometry!.weight.grad!.abs().sum().item()).toBeGreaterThan(0);
}

describe('VLA models', () => {
  it('flow: a tiny model overfits a tiny dataset and samples close to the data', () => {
    const { first, last, model } = fit('flow', 250);
    expect(last).toBeLessThan(first * 0.25);
    // sampled (normalized) actions approach the training targets
    const { samples, processor } = tinyData();
    const arr = processor.collate(samples);
    model.eval();
    const err = scope(() => {
      const tb = toTensorBatch(arr, { ...TINY, kind: 'flow' });
      const pred = (model as import('./flow-vla.ts').FlowVla)
        .sampleActions(tb, new Generator(1))
        .toFloat32Array();
      let se = 0;
      let n = 0;
      for (let i = 0; i < pred.length; i++)
        if (arr.actionMask![i] > 0) {
          se += (pred[i] - arr.actions![i]) ** 2;
          n++;
        }
      return se / n;
    });
    expect(err).toBeLessThan(0.3);
  });

  it('auxiliary task: the query token learns the environment state; rows without one are masked', () => {
    manualSeed(1);
    const cfg: ModelConfig = { ...TINY, auxDim: 2, auxWeight: 1 };
    const { samples, processor: p0 } = tinyData();
    // The target depends on the instruction and the images, as "where is the named object" does.
    samples.forEach((s, i) => {
      if (i < 3) s.envState = [Math.cos(i * 2), i % 2 === 0 ? 0.5 : -0.5];
    });
    const env = computeFeatureStats(
      samples.filter((s) => s.envState).map((s) => s.envState!),
      2,
    );
    const stats = Object.fromEntries(Object.entries(p0.normStats).map(([k, v]) => [k, { ...v, env }]));
    const processor = new Processor(cfg, stats, p0.tokenizer);
    const arr = processor.collate(samples);
    expect(Array.from(arr.auxMask!)).toEqual([1, 1, 1, 0]);
    expect(() => processor.collate([{ ...samples[0], envState: [1, 2, 3] }])).toThrow(/envState/);
    const model = createModel(cfg);
    const aux = fitAux(model, arr, cfg, 150);
    expect(aux.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(
      (aux.slice(0, 5).reduce((a, b) => a + b) / 5) * 0.1,
    );
    // A batch of perception-only frames (no actions): the action loss is 0, the loss is the aux loss.
    const perception = processor.collate(samples.slice(0, 3).map(({ actions: _, ...rest }) => rest));
    for (const kind of ['flow', 'token'] as const) {
      const mk = kind === 'flow' ? model : createModel({ ...cfg, kind });
      const l = scope(() =>
        mk.computeLoss(toTensorBatch(perception, cfg), Rng.derive(0, 0), new Generator(0)).item(),
      );
      expect(Number.isFinite(l), kind).toBe(true);
      expect(l).toBeCloseTo(mk.lastAuxLoss!, 5);
    }
    // Without targets in the batch (inference), the model still runs and reports no auxiliary loss.
    const plain = processor.collate(samples.map(({ envState: _, ...rest }) => rest));
    expect(plain.aux).toBeUndefined();
    scope(() => model.computeLoss(toTensorBatch(plain, cfg), Rng.derive(0, 0), new Generator(0)));
    expect(model.lastAuxLoss).toBeUndefined();
  });

  it('learned kinematics: the MLP learns end-effector positions from the state; the expert reads a geometry token', () => {
    manualSeed(2);
    const cfg: ModelConfig = { ...TINY, auxDim: 2, auxWeight: 1, eeDim: 6, eeWeight: 1 };
    const { samples, processor: p0 } = tinyData();
    // bot has one end effector (3 numbers), duo two (6): a smooth function of the joint state
    samples.forEach((s, i) => {
      const q = Array.from(s.state);
      const fk = (k: number) => [Math.cos(q[0] + k), Math.sin(q[1] - k), q[2] * 0.5 + k];
      s.eePos = s.embodiment === 'bot' ? fk(0) : [...fk(0), ...fk(1)];
      s.envState = [Math.cos(i), 0.5];
    });
    const stats = Object.fromEntries(
      Object.entries(p0.normStats).map(([k, v]) => {
        const rows = samples.filter((s) => s.embodiment === k);
        return [
          k,
          {
            ...v,
            env: computeFeatureStats(
              rows.map((s) => s.envState!),
              2,
            ),
            ee: computeFeatureStats(
              rows.map((s) => s.eePos!),
              rows[0].eePos!.length,
            ),
          },
        ];
      }),
    );
    const processor = new Processor(cfg, stats, p0.tokenizer);
    const arr = processor.collate(samples);
    // bot's second end-effector slot is padding: masked
    expect(Array.from(arr.eeMask!.subarray(0, 6))).toEqual([1, 1, 1, 0, 0, 0]);
    expect(Array.from(arr.eeMask!.subarray(6, 12))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => processor.collate([{ ...samples[0], eePos: [1, 2] }])).toThrow(/eePos/);
    const model = createModel(cfg) as import('./flow-vla.ts').FlowVla;
    const err = () =>
      scope(() => {
        const tb = toTensorBatch(arr, cfg);
        return model.backbone.eePrediction(tb)!.sub(tb.ee!).pow(2).mul(tb.eeMask!).sum().item() / 18;
      });
    const before = err();
    fitAux(model, arr, cfg, 150);
    expect(err()).toBeLessThan(before * 0.05);
    // The geometry token is one more key for the expert; the gradient of the action loss does not
    // reach the kinematics (its input to the token is detached).
    const tb = toTensorBatch(arr, cfg);
    const { prefix, maps } = model.backbone.forward(tb);
    expect(model.backbone.geometryToken(model.backbone.readouts(prefix, tb, maps))!.shape).toEqual([
      4,
      1,
      cfg.dModel,
    ]);
    const noLabels = processor.collate(samples.map(({ eePos: _, envState: __, ...rest }) => rest));
    model.zeroGrad();
    scope(() =>
      model.computeLoss(toTensorBatch(noLabels, cfg), Rng.derive(0, 0), new Generator(0)).backward(),
    );
    const g = model.backbone.kinematics!.c.weight.grad;
    expect(g === null || g.abs().sum().item() === 0).toBe(true);
    expect(model.backbone.geometry!.weight.grad!.abs().sum().item()).toBeGreaterThan(0);
    // Sampling needs no labels (the state is all the kinematics reads).
    const a = scope(() => model.sampleActions(toTensorBatch(noLabels, cfg), new Generator(0)).shape);
    expect(a).toEqual([4, cfg.horizon, cfg.maxActionDim]);
    expect(() => createModel({ ...cfg, kind: 'token' })).toThrow(/eeDim/);
  });

  it('geometryTeacher: in training the geometry token reads the labels, so the read-outs cannot move the action loss', () => {
    manualSeed(4);
    // every row labelled in full (one end effector each), so the token reads labels only
    const cfg: ModelConfig = { ...TINY, auxDim: 2, auxWeight: 1, eeDim: 3, eeWeight: 1 };
    const { samples, processor: p0 } = tinyData();
    samples.forEach((s, i) => {
      s.eePos = [i, 1, 2 - i];
      s.envState = [Math.cos(i), 0.5 * i];
    });
    const stats = Object.fromEntries(
      Object.entries(p0.normStats).map(([k, v]) => {
        const rows = samples.filter((s) => s.embodiment === k);
        const st = (f: (s: RawSample) => ArrayLike<number>) =>
          computeFeatureStats(
            rows.map((s) => Array.from(f(s))),
            f(rows[0]).length,
          );
        return [k, { ...v, env: st((s) => s.envState!), ee: st((s) => s.eePos!) }];
      }),
    );
    const arr = new Processor(cfg, stats, p0.tokenizer).collate(samples);
    /** The flow part of the loss before and after scrambling the read-out heads. */
    const flowBeforeAfter = (teacher: boolean): [number, number] => {
      const c = { ...cfg, geometryTeacher: teacher };
      manualSeed(4);
      const model = createModel(c) as import('./flow-vla.ts').FlowVla;
      const flow = () =>
        scope(() => {
          const l = model.computeLoss(toTensorBatch(arr, c), Rng.derive(0, 0), new Generator(0)).item();
          return l - model.lastAuxLoss!;
        });
      const before = flow();
      for (const p of [...model.backbone.kinematics!.parameters(), ...model.backbone.auxHead!.parameters()])
        p.mulInPlace(3);
      return [before, flow()];
    };
    const [t0, t1] = flowBeforeAfter(true);
    expect(t1).toBeCloseTo(t0, 5);
    const [r0, r1] = flowBeforeAfter(false);
    expect(Math.abs(r1 - r0)).toBeGreaterThan(1e-4);
    expect(() => createModel({ ...cfg, geometryTeacher: 'yes' as unknown as boolean })).toThrow(
      /model\.geometryTeacher/,
    );
  });

  it('focus heatmaps: keypoint channel 0 learns where a bright square is; out-of-view points are masked', () => {
    manualSeed(2);
    const cfg: ModelConfig = { ...TINY, focusWeight: 1 };
    const { processor: p0 } = tinyData();
    const processor = new Processor(cfg, p0.normStats, p0.tokenizer);
    const samples = squareSamples(8, new Rng(5), cfg.horizon).map(({ sample }) => sample);
    const arr = processor.collate(samples);
    expect(Array.from(arr.focusMask!.subarray(0, 2))).toEqual([1, 0]);
    expect(arr.focus![0]).toBeCloseTo(samples[0].focusUv!.cam[0] as number, 6);
    expect(() => processor.collate([{ ...samples[0], focusUv: { cam: [0.5] } }])).toThrow(/focusUv\.cam/);
    // Without the weight, no targets are collated.
    expect(new Processor(TINY, p0.normStats, p0.tokenizer).collate(samples).focus).toBeUndefined();
    const model = createModel(cfg);
    const aux = fitAux(model, arr, cfg, 120);
    expect(aux.at(-1)!).toBeLessThan(aux[0] - 0.8); // 2.8 → about 1.7 (the target's own spread is about 1.5)
    // The heatmap's peak is the square's cell.
    const hits = scope(() => {
      const tb = toTensorBatch(arr, cfg);
      const heat = model.backbone.forward(tb).maps!.heat.toFloat32Array(); // [8, 1, 2, 16]
      return samples.filter((smp, b) => {
        let best = 0;
        for (let j = 1; j < 16; j++) if (heat[b * 32 + j] > heat[b * 32 + best]) best = j;
        const [u, v] = smp.focusUv!.cam as number[];
        return best === Math.floor(v * 4) * 4 + Math.floor(u * 4);
      }).length;
    });
    expect(hits).toBeGreaterThanOrEqual(7);
  });

  it('keypointLevels 2: the heatmaps are twice as fine and find a 2 px square to its 2 px cell', () => {
    manualSeed(4);
    const cfg: ModelConfig = { ...TINY, focusWeight: 1, keypointLevels: 2 };
    const { processor: p0 } = tinyData();
    const processor = new Processor(cfg, p0.normStats, p0.tokenizer);
    const rng = new Rng(6);
    const samples: RawSample[] = Array.from({ length: 8 }, () => {
      const x0 = 2 * rng.int(8);
      const y0 = 2 * rng.int(8);
      const img = new Uint8Array(16 * 16 * 3);
      for (let y = y0; y < y0 + 2; y++) img.fill(255, (y * 16 + x0) * 3, (y * 16 + x0 + 2) * 3);
      return {
        embodiment: 'bot',
        images: { cam: img },
        state: [0, 0, 0],
        instruction: 'pick the cube',
        actions: new Float32Array(cfg.horizon * 2),
        focusUv: { cam: [(x0 + 1) / 16, (y0 + 1) / 16, -1, -1] },
      };
    });
    const arr = processor.collate(samples);
    const model = createModel(cfg);
    fitAux(model, arr, cfg, 150);
    const hits = scope(() => {
      const heat = model.backbone.forward(toTensorBatch(arr, cfg)).maps!.heat;
      expect(heat.shape).toEqual([8, 1, 2, 64]);
      const h = heat.toFloat32Array();
      return samples.filter((smp, b) => {
        const [u, v] = heatmapPeak(h.subarray(b * 128, b * 128 + 64));
        const [tu, tv] = smp.focusUv!.cam as number[];
        return Math.abs(u - tu) < 1 / 16 && Math.abs(v - tv) < 1 / 16; // within 1 px
      }).length;
    });
    expect(hits).toBeGreaterThanOrEqual(7);
    expect(() => createModel({ ...cfg, keypointLevels: 3 })).toThrow(/model\.keypointLevels/);
  });

  it('peak read-out: learns the targets from where the heatmaps peak; no gradient reaches the stem through it', () => {
    manualSeed(3);
    const f = readoutFixture({ peakReadout: true }, 7);
    const { cfg, samples, processor, model, bb } = f;
    const arr = processor.collate(samples);
    const err = () =>
      scope(() => {
        const tb = toTensorBatch(arr, cfg);
        const { maps } = bb.forward(tb);
        return bb.peakPrediction(tb, maps)!.sub(tb.aux!).pow(2).mean().item();
      });
    const before = err();
    fitAux(model, arr, cfg, 200);
    expect(err()).toBeLessThan(before * 0.1);
    // Its loss alone sends nothing into the stem (the peaks are a choice of cell, without gradient).
    model.zeroGrad();
    scope(() => {
      const tb = toTensorBatch(arr, cfg);
      const { maps } = bb.forward(tb);
      bb.peakPrediction(tb, maps)!.sub(tb.aux!).pow(2).mean().backward();
    });
    const stem = bb.vision.convs[0].weight.grad;
    expect(stem === null || stem.abs().sum().item() === 0).toBe(true);
    expect(bb.peakHead!.a.weight.grad!.abs().sum().item()).toBeGreaterThan(0);
    // The geometry token reads it (not the query token's read-out), without gradient back into it.
    expectTokenReadsWithoutGradient(f, () => bb.peakHead!);
    // Off without the focus heatmaps, by name.
    expect(() => createModel({ ...cfg, focusWeight: 0 })).toThrow(/model\.peakReadout/);
  });

  it('cast read-out: learns the camera from labelled pixels, reads the heatmap peaks at inference', () => {
    manualSeed(5);
    const f = readoutFixture({ castReadout: true }, 8, [0.9, 0.9]);
    const { cfg, samples, processor, model, bb } = f;
    // Perception scenes: no action chunk (demonstration rows do not teach the cast, below).
    const arr = processor.collate(samples.map(({ actions: _, ...rest }) => rest));
    const labelUv = (tb: ReturnType<typeof toTensorBatch>) => tb.focus!.narrow(1, 0, 1).reshape(tb.size, 4);
    const err = () =>
      scope(() => {
        const tb = toTensorBatch(arr, cfg);
        return bb.castPrediction(tb, labelUv(tb))!.sub(tb.aux!).pow(2).mean().item();
      });
    const castGrad = (a: typeof arr) => {
      model.zeroGrad();
      scope(() => {
        const tb = toTensorBatch(a, cfg);
        const { prefix, maps } = bb.forward(tb);
        bb.auxLoss(prefix, tb, maps)!.backward();
      });
      const g = bb.castHead!.a.weight.grad;
      return g === null ? 0 : g.abs().sum().item();
    };
    const before = err();
    fitAux(model, arr, cfg, 200);
    expect(err()).toBeLessThan(before * 0.1);
    // A row whose object is out of the first camera's view does not teach it, nor one with an
    // action chunk (a demonstration frame); a perception scene in view does.
    const row = (cam: number[], acted = false) => {
      const { actions, ...scene } = samples[0];
      return processor.collate([
        { ...scene, ...(acted ? { actions } : {}), envState: [9, -9], focusUv: { cam } },
      ]);
    };
    expect(castGrad(row([-1, -1, 0.9, 0.9]))).toBe(0);
    expect(castGrad(row([0.2, 0.3, 0.9, 0.9], true))).toBe(0);
    expect(castGrad(row([0.2, 0.3, 0.9, 0.9]))).toBeGreaterThan(0);
    // At inference it reads the first camera's heatmap peaks, and the geometry token reads it.
    scope(() => {
      const tb = toTensorBatch(arr, cfg);
      const { prefix, maps } = bb.forward(tb);
      const r = bb.readouts(prefix, tb, maps, true);
      const fromPeaks = bb.castPrediction(tb, heatmapPeaks(maps!.heat).narrow(1, 0, 1).reshape(tb.size, 4))!;
      expect(r.cast!.sub(fromPeaks).abs().max().item()).toBe(0);
    });
    expectTokenReadsWithoutGradient(f, () => bb.castHead!);
    // Refused by name without the heatmaps or beside the peak read-out.
    expect(() => createModel({ ...cfg, focusWeight: 0 })).toThrow(/model\.castReadout/);
    expect(() => createModel({ ...cfg, peakReadout: true })).toThrow(/model\.castReadout/);
  });

  it('focusLoss: lowest when the heatmap peaks at the label; masked points do not count', () => {
    // Two channels on a 4×4 map; labels at the centre of cell (row 1, col 1) = index 5 for both.
    const heat = (c0: number, c1: number) =>
      tensor(
        Float32Array.from({ length: 32 }, (_, j) => (j === c0 || j === 16 + c1 ? 8 : 0)),
        { shape: [1, 1, 2, 16] },
      );
    const focus = tensor([1.5 / 4, 1.5 / 4, 1.5 / 4, 1.5 / 4], { shape: [1, 1, 4] });
    const mask = (a: number, b: number) => tensor([a, b], { shape: [1, 1, 2] });
    scope(() => {
      const right = focusLoss(heat(5, 5), focus, mask(1, 1)).item();
      const wrong = focusLoss(heat(10, 10), focus, mask(1, 1)).item();
      expect(right).toBeGreaterThan(0); // the target has spread: never zero
      expect(right).toBeLessThan(wrong);
      // Channel 1 wrong but masked out: the same loss as both right.
      expect(focusLoss(heat(5, 10), focus, mask(1, 0)).item()).toBeCloseTo(right, 5);
      expect(focusLoss(heat(5, 10), focus, mask(1, 1)).item()).toBeGreaterThan(right);
      expect(focusLoss(heat(5, 5), focus, mask(0, 0)).item()).toBe(0);
    });
    // heatmapPeak reads the label back: cell (1, 1)'s centre, pulled towards a strong neighbour.
    const one = Float32Array.from({ length: 16 }, (_, j) => (j === 5 ? 8 : 0));
    expect(heatmapPeak(one).map((v) => v * 4)).toEqual([expect.closeTo(1.5, 2), expect.closeTo(1.5, 2)]);
    one[6] = 8; // as strong one cell to the right: halfway between
    expect(heatmapPeak(one)[0] * 4).toBeCloseTo(2, 2);
  });

  it('token baseline: cross-entropy falls on a tiny dataset', () => {
    const { first, last } = fit('token', 80);
    expect(last).toBeLessThan(first * 0.5);
  });

  it('checkpoint round-trip is bit-exact (weights and sampled actions); LocalPolicy unpads per body', async () => {
    manualSeed(3);
    const { samples, processor } = tinyData();
    const model = createModel(TINY);
    const dir = join(mkdtempSync(join(tmpdir(), 'ckpt-')), 'step-1');
    const weights = Object.fromEntries(model.namedParameters());
    saveCheckpoint(dir, {
      weights,
      config: { format: 'robofm-vla', version: 1, model: TINY, step: 1, meta: { id: 'tiny' } },
      normStats: processor.normStats,
      tokenizer: processor.tokenizer,
    });
    const back = loadCheckpoint(dir);
    const theirs = new Map(back.model.namedParameters());
    for (const [name, p] of model.namedParameters()) {
      const a = p.toFloat32Array();
      const b = theirs.get(name)!.toFloat32Array();
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer)), name).toBe(true);
    }
    const arr = processor.collate(samples);
    model.eval();
    const run = (m: VlaModel) =>
      scope(() =>
        (m as import('./flow-vla.ts').FlowVla)
          .sampleActions(toTensorBatch(arr, TINY), new Generator(7))
          .toFloat32Array(),
      );
    expect(Buffer.from(run(back.model).buffer).equals(Buffer.from(run(model).buffer))).toBe(true);

    const before = liveTensors();
    const policy = new LocalPolicy(dir);
    const chunks = await policy.inferBatch(
      samples.map((s) => ({
        embodiment: s.embodiment,
        images: s.images,
        state: Float32Array.from(s.state),
        instruction: s.instruction,
      })),
    );
    expect(chunks[0].actionDim).toBe(2);
    expect(chunks[1].actionDim).toBe(4);
    expect(chunks[1].actions.length).toBe(TINY.horizon * 4);
    expect(chunks[0].timing.inferMs).toBeGreaterThan(0);
    // reset(episodeSeed) makes an episode's noise independent of what ran before it.
    const obs0 = {
      embodiment: samples[0].embodiment,
      images: samples[0].images,
      state: Float32Array.from(samples[0].state),
      instruction: samples[0].instruction,
    };
    policy.reset(7);
    const a = (await policy.infer(obs0)).actions;
    await policy.infer(obs0); // noise moves on within the episode
    policy.reset(7);
    expect(Array.from((await policy.infer(obs0)).actions)).toEqual(Array.from(a));
    policy.reset(8);
    expect(Array.from((await policy.infer(obs0)).actions)).not.toEqual(Array.from(a));
    await expect(
      policy.infer({ embodiment: 'nope', images: {}, state: new Float32Array(3), instruction: '' }),
    ).rejects.toThrow(/embodiment/);
    policy.dispose();
    expect(liveTensors()).toBeLessThanOrEqual(before);
  });

  it('token baseline: LocalPolicy decodes chunks within the training range', async () => {
    const cfg: ModelConfig = { ...TINY, kind: 'token' };
    manualSeed(5);
    const { samples, processor } = tinyData();
    const model = createModel(cfg);
    const dir = join(mkdtempSync(join(tmpdir(), 'ckpt-tok-')), 'step-1');
    saveCheckpoint(dir, {
      weights: Object.fromEntries(model.namedParameters()),
      config: { format: 'robofm-vla', version: 1, model: cfg, step: 1, meta: {} },
      normStats: processor.normStats,
      tokenizer: processor.tokenizer,
    });
    const policy = new LocalPolicy(dir);
    const [c] = await policy.inferBatch([
      {
        embodiment: 'duo',
        images: samples[1].images,
        state: Float32Array.from(samples[1].state),
        instruction: 'x',
      },
    ]);
    expect(c.horizon).toBe(TINY.horizon);
    expect(c.actions.length).toBe(TINY.horizon * 4);
    const st = processor.normStats.duo.action;
    for (let i = 0; i < c.actions.length; i++) {
      const d = i % 4;
      expect(c.actions[i]).toBeGreaterThanOrEqual(st.min![d] - 1e-6);
      expect(c.actions[i]).toBeLessThanOrEqual(st.max![d] + 1e-6);
    }
    policy.dispose();
  });
});
