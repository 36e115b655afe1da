import { describe, expect, it } from 'vitest';
import { manualSeed, nn, noGrad, ones, randn, scope, type Tensor, TorchError, zeros } from '../index.ts';

const maxDiff = (a: Tensor, b: Tensor) => a.sub(b).abs().max().item();

class Tiny extends nn.Module {
  embed = new nn.Linear(4, 8);
  blocks = new nn.ModuleList(
    [0, 1].map(() => new nn.TransformerBlock(8, 2, 16, { crossAttention: true, contextDim: 6 })),
  );
  head = new nn.MLP(8, 16, 3);
  forward(x: Tensor, context: Tensor): Tensor {
    return scope(() => {
      let h = this.embed.forward(x);
      for (const b of this.blocks) h = b.forward(h, { context, causal: true });
      return this.head.forward(h);
    });
  }
}

describe('nn.Module', () => {
  it('names parameters by field path', () => {
    const m = new Tiny();
    const names = m.namedParameters().map(([n]) => n);
    expect(names).toContain('embed.weight');
    expect(names).toContain('blocks.1.attn.qkv.weight');
    expect(names).toContain('blocks.0.crossAttn.kv.weight');
    expect(names).toContain('blocks.0.crossAttn.q.bias');
    expect(names).toContain('blocks.0.normCross.weight');
    expect(names).toContain('head.layers.1.bias');
    expect(m.parameters().every((p) => p.requiresGrad && p.isParameter)).toBe(true);
    expect(m.blocks.get(0).crossAttn!.kv!.weight.shape).toEqual([16, 6]);
    const y = scope(() => m.forward(randn([2, 5, 4]), randn([2, 7, 6])));
    expect(y.shape).toEqual([2, 5, 3]);
    y.dispose();
    m.dispose();
  });

  it('stateDict strictness lists missing, unexpected and mismatched keys', () => {
    scope(() => {
      const a = new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2));
      const sd = a.stateDict();
      expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
      const b = new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2));
      b.loadStateDict(sd);
      expect(maxDiff(b.items[0].forward(ones([1, 3])), a.items[0].forward(ones([1, 3])))).toBe(0);
      const partial = { '0.weight': sd['0.weight'], extra: zeros([1]) };
      try {
        b.loadStateDict(partial);
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(TorchError);
        const te = e as TorchError & { missing: string[]; unexpected: string[] };
        expect(te.code).toBe('state_dict_mismatch');
        expect(te.missing).toEqual(['0.bias', '1.weight', '1.bias']);
        expect(te.unexpected).toEqual(['extra']);
        expect(te.message).toContain('missing keys: 0.bias');
      }
      const r = b.loadStateDict(partial, { strict: false });
      expect(r.missing.length).toBe(3);
      expect(() => b.loadStateDict({ ...sd, '0.weight': zeros([5, 3]) }, { strict: false })).toThrow(
        /0\.weight: checkpoint \[5, 3\] vs model \[4, 3\]/,
      );
      a.dispose();
      b.dispose();
    });
  });

  it('train/eval switches dropout; zeroGrad; numParameters', () => {
    scope(() => {
      const m = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5));
      expect(m.numParameters()).toBe(20);
      const x = ones([64, 4]);
      m.eval();
      expect(m.items[1].training).toBe(false);
      expect(maxDiff(m.forward(x), m.items[0].forward(x))).toBe(0);
      m.train();
      const y = m.forward(x);
      expect(y.eq(0).sum().item()).toBeGreaterThan(0);
      y.sum().backward();
      expect(m.parameters()[0].grad).not.toBeNull();
      m.zeroGrad();
      expect(m.parameters()[0].grad).toBeNull();
      m.dispose();
    });
  });

  it('incremental decoding with a KV cache equals the full causal forward', () => {
    scope(() => {
      manualSeed(3);
      const attn = new nn.MultiheadAttention(8, 2);
      const x = randn([1, 5, 8]);
      const full = attn.forward(x, { causal: true });
      const cache = new nn.KVCache();
      const first = attn.forward(x.narrow(1, 0, 3), { causal: true, kvCache: cache });
      const steps = [first];
      for (let t = 3; t < 5; t++)
        steps.push(attn.forward(x.narrow(1, t, 1), { causal: true, kvCache: cache }));
      expect(cache.length).toBe(5);
      let offset = 0;
      for (const p of steps) {
        expect(maxDiff(p, full.narrow(1, offset, p.shape[1]))).toBeLessThan(1e-5);
        offset += p.shape[1];
      }
      expect(offset).toBe(5);
      cache.dispose();
      attn.dispose();
    });
  });

  it('layers compute what their functional form computes', () => {
    scope(() => {
      const conv = new nn.Conv2d(3, 8, 3, { stride: 2, padding: 1 });
      expect(conv.forward(randn([2, 3, 16, 16])).shape).toEqual([2, 8, 8, 8]);
      const emb = new nn.Embedding(10, 4);
      const idx = zeros([2, 3], { dtype: 'int64' });
      expect(emb.forward(idx).shape).toEqual([2, 3, 4]);
      const rms = new nn.RMSNorm(4);
      const x = randn([3, 4]);
      const ref = x.div(x.mul(x).mean(-1, true).add(1e-6).sqrt());
      expect(maxDiff(rms.forward(x), ref)).toBeLessThan(1e-5);
      const ln = new nn.LayerNorm(4);
      const mu = x.mean(-1, true);
      const refLn = x.sub(mu).div(x.var(-1, true, false).add(1e-5).sqrt());
      expect(maxDiff(ln.forward(x), refLn)).toBeLessThan(1e-5);
      const bn = new nn.BatchNorm2d(8);
      expect(bn.forward(randn([2, 8, 4, 4])).shape).toEqual([2, 8, 4, 4]);
      expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar']);
      const lin = new nn.Linear(4, 2, { bias: false });
      expect(lin.bias).toBeNull();
      expect(lin.namedParameters().map(([n]) => n)).toEqual(['weight']);
      // default Linear init bound = 1/sqrt(in)
      const big = new nn.Linear(100, 50);
      expect(big.weight.abs().max().item()).toBeLessThanOrEqual(0.1);
      noGrad(() => expect(big.weight.std().item()).toBeGreaterThan(0.04));
      for (const m of [conv, emb, rms, ln, bn, lin, big]) m.dispose();
    });
  });

  it('self-attention rejects context; cross-attention requires it', () => {
    scope(() => {
      const self = new nn.MultiheadAttention(4, 2);
      const cross = new nn.MultiheadAttention(4, 2, { kvDim: 3 });
      expect(() => self.forward(randn([1, 2, 4]), { context: randn([1, 2, 4]) })).toThrow(/context/);
      expect(() => cross.forward(randn([1, 2, 4]))).toThrow(/context/);
      expect(cross.forward(randn([1, 2, 4]), { context: randn([1, 5, 3]) }).shape).toEqual([1, 2, 4]);
      expect(() => new nn.MultiheadAttention(5, 2)).toThrow(/heads/);
      self.dispose();
      cross.dispose();
    });
  });
});
