import { describe, expect, it } from 'vitest';
import {
  dispose,
  F,
  keep,
  liveTensors,
  manualSeed,
  memory,
  nextStep,
  nn,
  ones,
  optim,
  randn,
  scope,
  scopeAsync,
  type Tensor,
  tensor,
} from './index.ts';

describe('scope / dispose', () => {
  it('frees intermediates, keeps returned tensors (also nested in arrays/objects), nests', () => {
    const before = liveTensors();
    const out = scope(() => {
      const a = ones([2]);
      const b = a.add(1);
      b.mul(3); // dropped
      const inner = scope(() => {
        const c = b.mul(2);
        c.add(1); // dropped
        return { c, list: [c.sub(1)] };
      });
      return [b, inner.c, inner.list[0]];
    });
    expect(liveTensors()).toBe(before + 3);
    expect(out[1].toNumberArray()).toEqual([4, 4]);
    dispose(out);
    expect(liveTensors()).toBe(before);
    expect(out.every((t) => t.isDisposed)).toBe(true);
  });

  it('frees everything when fn throws', () => {
    const before = liveTensors();
    expect(() =>
      scope(() => {
        ones([3]).add(1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(liveTensors()).toBe(before);
  });

  it('keep() survives the scope; Symbol.dispose frees', () => {
    const before = liveTensors();
    let k: Tensor | undefined;
    scope(() => {
      k = keep(ones([1]));
      ones([1]);
    });
    expect(liveTensors()).toBe(before + 1);
    {
      using t = k!;
      expect(t.item()).toBe(1);
    }
    expect(liveTensors()).toBe(before);
  });

  it('scopeAsync spans awaits', async () => {
    const before = liveTensors();
    const r = await scopeAsync(async () => {
      const a = ones([2]);
      await nextStep();
      a.add(1);
      return a.mul(2);
    });
    expect(liveTensors()).toBe(before + 1);
    r.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('a scope returning a promise is rejected', () => {
    expect(() => scope(() => Promise.resolve(1) as unknown as number)).toThrow(/scopeAsync/);
  });

  it('dispose is idempotent and grads are scope-owned', () => {
    const before = liveTensors();
    const p = tensor([1, 2], { requiresGrad: true });
    scope(() => {
      p.mul(p).sum().backward();
      expect(p.grad).not.toBeNull();
      p.grad; // every read is a new handle, freed by the scope
    });
    p.zeroGrad();
    p.dispose();
    p.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('reports native bytes', () => {
    const t = ones([1000, 250]);
    expect(memory().liveBytes).toBeGreaterThanOrEqual(1_000_000);
    t.dispose();
  });
});

describe('leak test', () => {
  it('1000 training steps leave the live-tensor count unchanged', async () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(8, 32), new nn.LayerNorm(32), new nn.Linear(32, 4));
    const opt = new optim.AdamW(model.namedParameters(), { lr: 1e-2 });
    const x = randn([16, 8]);
    const y = randn([16, 4]);
    const ema = new optim.EMA(model, 0.9);
    const start = liveTensors();
    let first = 0;
    let last = 0;
    for (let step = 0; step < 1000; step++) {
      const loss = scope(() => {
        const l = F.mseLoss(model.forward(x), y);
        l.backward();
        return l.item();
      });
      opt.step();
      opt.zeroGrad();
      ema.update();
      if (step === 0) first = loss;
      last = loss;
      expect(liveTensors()).toBe(start);
      if (step % 100 === 0) await nextStep();
    }
    expect(last).toBeLessThan(first); // it actually trained
    expect(memory().gcFreed).toBe(0);
  });
});
