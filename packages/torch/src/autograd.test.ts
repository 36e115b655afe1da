// Analytic gradients vs central finite differences (float64) for every differentiable op family.
import { describe, expect, it } from 'vitest';
import {
  cat,
  clipGradNorm,
  einsum,
  F,
  gradcheck,
  manualSeed,
  nn,
  outer,
  matmul,
  bmm,
  maximum,
  minimum,
  noGrad,
  scope,
  stack,
  type Tensor,
  randn,
  tensor,
  where,
  zeros,
} from './index.ts';

function rnd(shape: number[], seed: number, opts: { lo?: number; hi?: number; awayFromZero?: boolean } = {}) {
  const n = shape.reduce((a, b) => a * b, 1);
  const lo = opts.lo ?? -1;
  const hi = opts.hi ?? 1;
  let s = seed * 9301 + 49297;
  const data = Array.from({ length: n }, () => {
    s = (s * 9301 + 49297) % 233280;
    let v = lo + (hi - lo) * (s / 233280);
    if (opts.awayFromZero && Math.abs(v) < 0.15) v += v < 0 ? -0.2 : 0.2;
    return v;
  });
  return { data, shape };
}

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: ReturnType<typeof rnd>[]) {
  it(name, () => {
    const r = gradcheck(fn, inputs);
    expect(r.ok, `${name}: max error ${r.maxAbsError} at ${JSON.stringify(r.worst)}`).toBe(true);
  });
}

const idx = (vals: number[], shape = [vals.length]) => tensor(Int32Array.from(vals), { shape }).long();

describe('gradcheck: element-wise unary', () => {
  const x = rnd([2, 3], 1, { awayFromZero: true });
  const pos = rnd([2, 3], 2, { lo: 0.3, hi: 2 });
  check('neg', (a) => a.neg(), [x]);
  check('abs', (a) => a.abs(), [x]);
  check('exp', (a) => a.exp(), [x]);
  check('log', (a) => a.log(), [pos]);
  check('sqrt', (a) => a.sqrt(), [pos]);
  check('rsqrt', (a) => a.rsqrt(), [pos]);
  check('sin', (a) => a.sin(), [x]);
  check('cos', (a) => a.cos(), [x]);
  check('tanh', (a) => a.tanh(), [x]);
  check('sigmoid', (a) => a.sigmoid(), [x]);
  check('relu', (a) => a.relu(), [x]);
  check('gelu', (a) => a.gelu(), [x]);
  check('gelu tanh', (a) => a.gelu('tanh'), [x]);
  check(
    'gelu before a transpose (channels-last gradient)',
    (a) => a.gelu().reshape(2, 3, 2, 2).permute(0, 2, 3, 1).reshape(2, 12),
    [rnd([2, 3, 2, 2], 80)],
  );
  check('silu', (a) => a.silu(), [x]);
  check('softplus', (a) => a.softplus(), [x]);
  check(
    'square/reciprocal/log1p/expm1/erf',
    (a) => a.square().add(a.abs().add(1).reciprocal()).add(a.abs().log1p()).add(a.expm1()).add(a.erf()),
    [x],
  );
  check('clamp', (a) => a.clamp(-0.5, 0.5), [x]);
  check('pow scalar', (a) => a.pow(3), [x]);
  check('rsub scalar', (a) => a.rsub(2).mul(3).div(2), [x]);
});

describe('gradcheck: binary with broadcasting', () => {
  const a = rnd([2, 3], 3, { awayFromZero: true });
  const b = rnd([3], 4, { lo: 0.5, hi: 1.5 });
  check('add', (x, y) => x.add(y), [a, b]);
  check('sub', (x, y) => x.sub(y), [a, b]);
  check('mul', (x, y) => x.mul(y), [a, b]);
  check('div', (x, y) => x.div(y), [a, b]);
  check('pow tensor', (x, y) => x.abs().add(0.5).pow(y), [a, b]);
  check('minimum/maximum', (x, y) => minimum(x, y).add(maximum(x, y.mul(0.3))), [a, b]);
  check('where', (x, y) => where(x.gt(0), x, y.expand(2, 3)), [a, b]);
  check('maskedFill', (x) => x.maskedFill(x.lt(0), 0.5), [a]);
});

describe('gradcheck: reductions', () => {
  const x = rnd([3, 4], 5);
  check(
    'sum all / dim / keepdim',
    (a) =>
      a
        .sum()
        .add(a.sum(1).sum())
        .add(a.sum([0, 1], true).sum()),
    [x],
  );
  check('mean', (a) => a.mean(0), [x]);
  check('max/min dim', (a) => a.max(1).add(a.min(1)), [x]);
  check('max all', (a) => a.max(), [x]);
  check('var/std', (a) => a.var(1).add(a.std(0).sum()), [x]);
  check('logsumexp', (a) => a.logsumexp(1), [x]);
  check('cumsum', (a) => a.cumsum(1), [x]);
  check('prod', (a) => a.prod(1), [x]);
  check('norm', (a) => a.norm(1), [x]);
  check('softmax / logSoftmax', (a) => a.softmax(1).add(a.logSoftmax(0)), [x]);
  check('maxWithIndices values', (a) => a.maxWithIndices(1).values, [x]);
});

describe('gradcheck: shape and indexing', () => {
  const x = rnd([2, 3, 4], 6);
  check(
    'reshape/view/permute/transpose',
    (a) =>
      a
        .reshape(6, 4)
        .view(4, 6)
        .add(a.permute(2, 0, 1).reshape(4, 6))
        .add(a.transpose(0, 2).reshape(4, 6)),
    [x],
  );
  check(
    'squeeze/unsqueeze/expand/flatten',
    (a) => a.unsqueeze(0).expand(2, 2, 3, 4).squeeze().flatten(1).sum(0),
    [x],
  );
  check('narrow/slice', (a) => a.narrow(2, 1, 2).add(a.slice(2, 0, 4, 2)), [x]);
  check('cat/stack', (a, b) => cat([a, b], 1).add(stack([a, b], 1).reshape(2, 6, 4)), [x, rnd([2, 3, 4], 7)]);
  check(
    'split/chunk/unbind',
    (a) => {
      const [p, q] = a.split([1, 3], 2);
      const [r, s] = a.chunk(2, 2);
      const [u] = a.unbind(0);
      return p.sum().add(q.mul(2).sum()).add(r.mul(s).sum()).add(u.sum());
    },
    [x],
  );
  check('indexSelect', (a) => a.indexSelect(2, idx([3, 0, 3])), [x]);
  check('gather', (a) => a.gather(1, idx([0, 2, 1, 1, 2, 0, 0, 1], [2, 1, 4])), [x]);
  check(
    'scatter/scatterAdd',
    (a, s) =>
      zeros([2, 3, 4], { dtype: 'float64' })
        .scatterAdd(1, idx([0, 2, 1, 1, 2, 0, 0, 1], [2, 1, 4]), s)
        .add(a.scatter(1, idx([0, 2, 1, 1, 2, 0, 0, 1], [2, 1, 4]), s)),
    [x, rnd([2, 1, 4], 8)],
  );
  check(
    'flip/repeat/tril',
    (a) =>
      a
        .flip(1)
        .add(a.repeat(1, 1, 1))
        .add(a.tril()),
    [x],
  );
});

describe('gradcheck: linear algebra', () => {
  check(
    'matmul 2D and batched',
    (a, b) => matmul(a, b).add(matmul(a.unsqueeze(0).expand(2, 3, 4), b).sum(0)),
    [rnd([3, 4], 9), rnd([4, 2], 10)],
  );
  check('bmm', (a, b) => bmm(a, b), [rnd([2, 3, 4], 11), rnd([2, 4, 2], 12)]);
  check('linear', (x, w, b) => F.linear(x, w, b), [rnd([2, 3], 13), rnd([4, 3], 14), rnd([4], 15)]);
});

describe('gradcheck: nn functionals', () => {
  check('conv1d', (x, w, b) => F.conv1d(x, w, b, { padding: 1, stride: 1 }), [
    rnd([1, 2, 5], 16),
    rnd([3, 2, 3], 17),
    rnd([3], 18),
  ]);
  check('conv2d stride/padding', (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), [
    rnd([1, 2, 4, 4], 19),
    rnd([2, 2, 3, 3], 20),
    rnd([2], 21),
  ]);
  check('maxPool2d', (x) => F.maxPool2d(x, 2), [rnd([1, 1, 4, 4], 22)]);
  check('avgPool2d', (x) => F.avgPool2d(x, 2, { stride: 1 }), [rnd([1, 1, 3, 3], 23)]);
  check('adaptiveAvgPool2d', (x) => F.adaptiveAvgPool2d(x, 1), [rnd([1, 2, 3, 3], 24)]);
  check('interpolate bilinear', (x) => F.interpolate(x, { size: [3, 5], mode: 'bilinear' }), [
    rnd([1, 1, 2, 3], 25),
  ]);
  check('interpolate nearest', (x) => F.interpolate(x, { size: [4, 4], mode: 'nearest' }), [
    rnd([1, 1, 2, 2], 26),
  ]);
  check('layerNorm', (x, w, b) => F.layerNorm(x, 4, w, b), [rnd([2, 4], 27), rnd([4], 28), rnd([4], 29)]);
  check('rmsNorm', (x, w) => F.rmsNorm(x, 4, w), [rnd([2, 4], 30), rnd([4], 31)]);
  check('groupNorm', (x, w, b) => F.groupNorm(x, 2, w, b), [rnd([1, 4, 3], 32), rnd([4], 33), rnd([4], 34)]);
  check('embedding', (w) => F.embedding(idx([0, 2, 2, 1]), w), [rnd([3, 2], 35)]);
  check('dropout (eval = identity)', (x) => F.dropout(x, 0.5, false), [rnd([2, 3], 36)]);
  check('pad', (x) => F.pad(x, [1, 2], 0.5), [rnd([2, 3], 37)]);
});

describe('gradcheck: more functionals', () => {
  check(
    'batchNorm (training batch statistics)',
    (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
    [rnd([3, 2, 2, 2], 60), rnd([2], 61), rnd([2], 62)],
  );
  check('convTranspose2d', (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }), [
    rnd([1, 2, 3, 3], 63),
    rnd([2, 3, 3, 3], 64),
    rnd([3], 65),
  ]);
  check('einsum / outer', (a, b) => einsum('ij,jk->ik', a, b).add(outer(a.sum(1), b.sum(0)).sum(1, true)), [
    rnd([2, 3], 66),
    rnd([3, 2], 67),
  ]);
  check(
    'cumprod / topk / sort values',
    (a) => a.cumprod(1).add(a.topk(2, 1).values.sum(1, true)).add(a.sort(1).values),
    [rnd([2, 3], 68, { awayFromZero: true })],
  );
  check('atan2', (a, b) => a.atan2(b), [
    rnd([4], 69, { awayFromZero: true }),
    rnd([4], 70, { awayFromZero: true }),
  ]);
  check('layerNorm without affine', (x) => F.layerNorm(x, 3), [rnd([2, 3], 71)]);
  check('embedding with paddingIdx (rows in use)', (w) => F.embedding(idx([0, 2, 2]), w, 1), [
    rnd([3, 2], 72),
  ]);
  check(
    'huberLoss / nllLoss',
    (x, y) => F.huberLoss(x, y, 'mean', 0.5).add(F.nllLoss(x.logSoftmax(1), idx([0, 2]))),
    [rnd([2, 3], 73), rnd([2, 3], 74)],
  );
  check(
    'nn.MultiheadAttention + TransformerBlock params (through the functionals)',
    (x) => {
      manualSeed(5);
      const block = new nn.TransformerBlock(4, 2, 8, { dtype: 'float64' });
      const y = block.forward(x, { causal: true });
      const out = y.clone();
      block.dispose();
      return out;
    },
    [rnd([1, 3, 4], 75)],
  );
});

describe('gradcheck: losses', () => {
  const a = rnd([3, 4], 38);
  const b = rnd([3, 4], 39);
  check('mseLoss', (x, y) => F.mseLoss(x, y), [a, b]);
  check('l1Loss', (x, y) => F.l1Loss(x, y, 'sum'), [a, b]);
  check('smoothL1Loss', (x, y) => F.smoothL1Loss(x, y, 'none', 0.5), [a, b]);
  check('bceWithLogits', (x, y) => F.binaryCrossEntropyWithLogits(x, y.abs()), [a, b]);
  check('crossEntropy', (x) => F.crossEntropy(x, idx([1, 3, 0])), [a]);
  check(
    'crossEntropy ignoreIndex + labelSmoothing',
    (x) => F.crossEntropy(x, idx([1, -100, 0]), { labelSmoothing: 0.1 }),
    [a],
  );
  check('crossEntropy probabilities', (x, p) => F.crossEntropy(x, p.softmax(1)), [a, b]);
});

describe('gradcheck: attention', () => {
  const q = rnd([1, 2, 3, 4], 40);
  const k = rnd([1, 2, 5, 4], 41);
  const v = rnd([1, 2, 5, 4], 42);
  check('sdpa plain', (a, b, c) => F.scaledDotProductAttention(a, b, c), [q, k, v]);
  check('sdpa causal', (a, b, c) => F.scaledDotProductAttention(a, b, c, { isCausal: true }), [
    q,
    rnd([1, 2, 3, 4], 43),
    rnd([1, 2, 3, 4], 44),
  ]);
  check(
    'sdpa bool mask',
    (a, b, c) => F.scaledDotProductAttention(a, b, c, { mask: tensor([[true, false, true, true, false]]) }),
    [q, k, v],
  );
  check('sdpa additive mask', (a, b, c, m) => F.scaledDotProductAttention(a, b, c, { mask: m }), [
    q,
    k,
    v,
    rnd([3, 5], 45),
  ]);
});

describe('autograd mechanics', () => {
  it('accumulates, detaches, respects noGrad, backward with explicit grad', () => {
    scope(() => {
      const x = tensor([1, 2, 3], { requiresGrad: true });
      x.mul(2).sum().backward();
      x.mul(3).sum().backward();
      expect(x.grad!.toNumberArray()).toEqual([5, 5, 5]);
      x.zeroGrad();
      expect(x.grad).toBeNull();
      const y = noGrad(() => x.mul(2));
      expect(y.requiresGrad).toBe(false);
      expect(x.detach().requiresGrad).toBe(false);
      const z = x.mul(x);
      z.backward(tensor([1, 0, 2]));
      expect(x.grad!.toNumberArray()).toEqual([2, 0, 12]);
    });
  });

  it('embedding paddingIdx rows get no gradient (by design, as in PyTorch)', () => {
    scope(() => {
      const w = tensor(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        { requiresGrad: true },
      );
      F.embedding(idx([0, 1, 1]), w, 1)
        .sum()
        .backward();
      expect(w.grad!.toNumberArray()).toEqual([1, 1, 0, 0, 0, 0]);
    });
  });

  it('gelu backward is right when the gradient is laid out unlike the input (libtorch 1.13 CPU bug)', () => {
    scope(() => {
      manualSeed(0);
      const x = randn([2, 3, 4, 4], { requiresGrad: true });
      const gChannelsLast = randn([2, 4, 4, 3]).permute(0, 3, 1, 2);
      for (const approximate of ['none', 'tanh'] as const) {
        x.gelu(approximate).backward(gChannelsLast);
        const a = x.grad!.clone();
        x.zeroGrad();
        x.gelu(approximate).backward(gChannelsLast.contiguous());
        expect(a.sub(x.grad!).abs().max().item()).toBeLessThan(1e-5);
        x.zeroGrad();
      }
    });
  });

  it('clipGradNorm scales gradients and returns the pre-clip norm', () => {
    scope(() => {
      const p = tensor([3, 4], { requiresGrad: true, dtype: 'float64' });
      p.mul(p).mul(0.5).sum().backward(); // grad = p = [3, 4], norm 5
      const n = clipGradNorm([p], 1);
      expect(n).toBeCloseTo(5, 6);
      const g = p.grad!.toNumberArray();
      expect(g[0]).toBeCloseTo(0.6, 5);
      expect(g[1]).toBeCloseTo(0.8, 5);
    });
  });
});

describe('gradcheck itself', () => {
  it('catches a wrong gradient (a detached factor halves it)', () => {
    const r = gradcheck((a) => a.mul(a.detach()), [rnd([4], 50, { awayFromZero: true })]);
    expect(r.ok).toBe(false);
    expect(r.worst).not.toBeNull();
  });
});
