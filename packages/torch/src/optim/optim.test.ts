import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  F,
  liveTensors,
  manualSeed,
  nn,
  optim,
  randn,
  scope,
  type Tensor,
  tensor,
} from '../index.ts';

describe('optimizers', () => {
  it('AdamW follows the reference update (decoupled decay, bias correction)', () => {
    scope(() => {
      const p = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
      const opt = new optim.AdamW([p], { lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.5 });
      let w = [1, -2];
      const m = [0, 0];
      const v = [0, 0];
      for (let t = 1; t <= 3; t++) {
        scope(() => p.mul(p).mul(p).sum().backward()); // grad = 3 p²
        const g = w.map((x) => 3 * x * x);
        opt.step();
        opt.zeroGrad();
        w = w.map((x, i) => {
          let y = x * (1 - 0.1 * 0.5);
          m[i] = 0.9 * m[i] + 0.1 * g[i];
          v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
          const mh = m[i] / (1 - 0.9 ** t);
          const denom = Math.sqrt(v[i]) / Math.sqrt(1 - 0.99 ** t) + 1e-8;
          y -= (0.1 * mh * Math.sqrt(1 - 0.99 ** t)) / Math.sqrt(1 - 0.99 ** t) / denom;
          return y;
        });
        const got = p.toNumberArray();
        expect(got[0]).toBeCloseTo(w[0], 10);
        expect(got[1]).toBeCloseTo(w[1], 10);
      }
      expect(opt.stepCount).toBe(3);
    });
  });

  it('SGD with momentum follows the reference update', () => {
    scope(() => {
      const p = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
      const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
      let w = [1, 2];
      let buf = [0, 0];
      for (let t = 0; t < 3; t++) {
        scope(() => p.mul(p).sum().backward()); // grad = 2p
        const g = w.map((x) => 2 * x);
        opt.step();
        opt.zeroGrad();
        buf = t === 0 ? g : buf.map((b, i) => 0.9 * b + g[i]);
        w = w.map((x, i) => x - 0.1 * buf[i]);
        const got = p.toNumberArray();
        expect(got[0]).toBeCloseTo(w[0], 12);
        expect(got[1]).toBeCloseTo(w[1], 12);
      }
    });
  });

  it('state save/load resumes exactly (model + AdamW + EMA through safetensors bytes)', () => {
    const run = (
      model: nn.Module,
      opt: optim.AdamW,
      ema: optim.EMA,
      x: Tensor,
      y: Tensor,
      steps: number,
    ): number[] => {
      const losses: number[] = [];
      for (let i = 0; i < steps; i++) {
        losses.push(
          scope(() => {
            const l = F.mseLoss(model.forward(x), y);
            l.backward();
            return l.item();
          }),
        );
        opt.step();
        opt.zeroGrad();
        ema.update();
      }
      return losses;
    };
    scope(() => {
      manualSeed(1);
      const make = () => new nn.MLP(4, 16, 2);
      const x = randn([8, 4]);
      const y = randn([8, 2]);
      const a = make();
      const optA = new optim.AdamW(a.namedParameters(), { lr: 1e-2 });
      const emaA = new optim.EMA(a, 0.9);
      run(a, optA, emaA, x, y, 5);
      // checkpoint: encode everything to bytes, as a trainer writes train_state.safetensors
      const st = optA.stateDict();
      const bytes = encodeSafetensors(
        {
          ...Object.fromEntries(Object.entries(a.stateDict()).map(([k, v]) => [`model.${k}`, v])),
          ...Object.fromEntries(Object.entries(st.tensors).map(([k, v]) => [`optim.${k}`, v])),
          ...Object.fromEntries(Object.entries(emaA.stateDict().tensors).map(([k, v]) => [`ema.${k}`, v])),
        },
        { step: String(st.step), hyper: JSON.stringify(st.hyper), emaUpdates: String(emaA.updates) },
      );
      const cont = run(a, optA, emaA, x, y, 5);

      const { tensors, metadata } = decodeSafetensors(bytes);
      const pick = (prefix: string) =>
        Object.fromEntries(
          Object.entries(tensors)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
        );
      manualSeed(99); // different init: everything must come from the checkpoint
      const b = make();
      b.loadStateDict(pick('model.'));
      const optB = new optim.AdamW(b.namedParameters(), { lr: 0.5 });
      optB.loadStateDict({
        step: Number(metadata.step),
        hyper: JSON.parse(metadata.hyper),
        tensors: pick('optim.'),
      });
      expect(optB.lr).toBe(1e-2);
      const emaB = new optim.EMA(b, 0.9);
      emaB.loadStateDict({ tensors: pick('ema.'), updates: Number(metadata.emaUpdates) });
      const resumed = run(b, optB, emaB, x, y, 5);
      expect(resumed).toEqual(cont); // bit-identical
      expect(() => optB.loadStateDict({ step: 1, hyper: {}, tensors: {} })).toThrow(/missing keys/);
      // EMA copyTo
      const c = make();
      emaB.copyTo(c);
      const ema0 = emaB.stateDict().tensors['layers.0.weight'];
      expect(c.stateDict()['layers.0.weight'].sub(ema0).abs().max().item()).toBe(0);
      for (const t of [a, b, c, optA, optB, emaA, emaB]) t.dispose();
    });
  });

  it('EMA update is decay·shadow + (1-decay)·param', () => {
    scope(() => {
      const m = new nn.Linear(1, 1, { bias: false });
      m.weight.copyFrom(tensor([[2]]));
      const ema = new optim.EMA(m, 0.5);
      m.weight.copyFrom(tensor([[4]]));
      ema.update();
      expect(ema.stateDict().tensors.weight.item()).toBe(3);
      ema.dispose();
      m.dispose();
    });
  });

  it('schedules', () => {
    const s = optim.warmupCosine({ warmup: 10, total: 110, peak: 1, floor: 0.1 });
    expect(s(0)).toBeCloseTo(0.1);
    expect(s(9)).toBeCloseTo(1);
    expect(s(10)).toBeCloseTo(1);
    expect(s(60)).toBeCloseTo(0.55);
    expect(s(110)).toBeCloseTo(0.1);
    expect(s(500)).toBeCloseTo(0.1);
    expect(optim.constant(0.3)(1000)).toBe(0.3);
    expect(() => optim.warmupCosine({ warmup: 10, total: 5, peak: 1 })).toThrow(/total/);
  });

  it('optimizers own their state tensors (no leaks)', () => {
    const before = liveTensors();
    const m = new nn.Linear(2, 2);
    const o = new optim.AdamW(m.parameters());
    o.dispose();
    m.dispose();
    expect(liveTensors()).toBe(before);
  });
});
