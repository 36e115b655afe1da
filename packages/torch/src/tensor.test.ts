import { describe, expect, it } from 'vitest';
import {
  arange,
  availableDevices,
  cat,
  chunk,
  cuda,
  eye,
  full,
  Generator,
  getBlasThreads,
  getNumThreads,
  linspace,
  liveTensors,
  manualSeed,
  multinomial,
  ones,
  rand,
  randint,
  randn,
  scope,
  setNumThreads,
  split,
  stack,
  tensor,
  TorchError,
  where,
  zeros,
} from './index.ts';

const arr = (t: { toArray(): ArrayLike<number | bigint> }) => Array.from(t.toArray(), Number);

describe.each(availableDevices())('tensors on %s', (device) => {
  it('creates from typed arrays and nested arrays, copies out', () => {
    scope(() => {
      const a = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], device });
      expect(a.shape).toEqual([2, 3]);
      expect(a.dtype).toBe('float32');
      expect(a.device).toBe(device);
      expect(arr(a)).toEqual([1, 2, 3, 4, 5, 6]);
      const b = tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { device },
      );
      expect(b.shape).toEqual([2, 2]);
      expect(b.toArray()).toBeInstanceOf(Float32Array);
      expect(tensor(new BigInt64Array([1n, -2n])).toArray()).toEqual(new BigInt64Array([1n, -2n]));
      expect(tensor(new Int32Array([7])).dtype).toBe('int32');
      expect(tensor([true, false]).dtype).toBe('bool');
      expect(tensor(new Uint8Array([3, 4])).dtype).toBe('uint8');
      expect(tensor(3.5).shape).toEqual([]);
      expect(tensor(3.5).item()).toBe(3.5);
      const f64 = tensor([0.1], { dtype: 'float64' });
      expect(f64.toArray()[0]).toBe(0.1);
      // the copy is a copy
      const data = a.toArray() as Float32Array;
      data[0] = 100;
      expect(arr(a)[0]).toBe(1);
    });
  });

  it('float16 / bfloat16 storage round-trips and casts', () => {
    scope(() => {
      const x = tensor([1.5, -2.25, 1024], { device });
      for (const dt of ['float16', 'bfloat16'] as const) {
        const h = x.to(dt);
        expect(h.dtype).toBe(dt);
        expect(h.toArray()).toBeInstanceOf(Uint16Array);
        expect(Array.from(h.toFloat32Array())).toEqual([1.5, -2.25, 1024]);
        const back = tensor(h.toArray() as Uint16Array, { dtype: dt });
        expect(back.float().toNumberArray()).toEqual([1.5, -2.25, 1024]);
      }
      // float16 bits of 1.0 = 0x3c00
      expect(Array.from(tensor([1]).half().toArray() as Uint16Array)).toEqual([0x3c00]);
    });
  });

  it('fills, ranges, eye', () => {
    scope(() => {
      expect(arr(zeros([2], { device }))).toEqual([0, 0]);
      expect(arr(ones([2], { dtype: 'int32', device }))).toEqual([1, 1]);
      expect(arr(full([2], 7, { device }))).toEqual([7, 7]);
      expect(arange(4).dtype).toBe('int64');
      expect(arr(arange(4))).toEqual([0, 1, 2, 3]);
      expect(arr(arange(0, 1, 0.25))).toEqual([0, 0.25, 0.5, 0.75]);
      expect(arr(linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
      expect(arr(eye(2))).toEqual([1, 0, 0, 1]);
    });
  });

  it('seeded random numbers repeat with the same seed', () => {
    scope(() => {
      manualSeed(42);
      const a = arr(randn([5], { device }));
      manualSeed(42);
      expect(arr(randn([5], { device }))).toEqual(a);
      const g1 = new Generator(7);
      const g2 = new Generator(7);
      expect(arr(rand([4], { generator: g1 }))).toEqual(arr(rand([4], { generator: g2 })));
      g1.manualSeed(1);
      g2.manualSeed(1);
      const r = arr(randint(0, 10, [20], { generator: g1 }));
      expect(r).toEqual(arr(randint(0, 10, [20], { generator: g2 })));
      expect(r.every((v) => v >= 0 && v < 10 && Number.isInteger(v))).toBe(true);
      const m = arr(multinomial(tensor([0, 0, 1, 0]), 3, true, g1));
      expect(m).toEqual([2, 2, 2]);
      const u = arr(rand([1000]));
      expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...u)).toBeLessThan(1);
    });
  });

  it('shape ops and indexing', () => {
    scope(() => {
      const x = arange(6, undefined, 1, { dtype: 'float32', device }).reshape(2, 3);
      expect(x.transpose(0, 1).shape).toEqual([3, 2]);
      expect(arr(x.transpose(0, 1).contiguous())).toEqual([0, 3, 1, 4, 2, 5]);
      expect(x.permute(1, 0).shape).toEqual([3, 2]);
      expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
      expect(x.unsqueeze(0).squeeze(0).shape).toEqual([2, 3]);
      expect(x.reshape([3, 2]).shape).toEqual([3, 2]);
      expect(x.view(-1).shape).toEqual([6]);
      expect(x.flatten().shape).toEqual([6]);
      expect(tensor([1, 2]).expand(3, 2).shape).toEqual([3, 2]);
      expect(tensor([1, 2]).broadcastTo([2, 2]).shape).toEqual([2, 2]);
      expect(arr(x.narrow(1, 1, 2))).toEqual([1, 2, 4, 5]);
      expect(arr(x.slice(1, 0, undefined, 2))).toEqual([0, 2, 3, 5]);
      expect(arr(x.slice(1, -1))).toEqual([2, 5]);
      expect(arr(x.indexSelect(1, tensor([2, 0], { dtype: 'int64' })))).toEqual([2, 0, 5, 3]);
      expect(arr(x.gather(1, tensor([[0], [2]], { dtype: 'int64' })))).toEqual([0, 5]);
      expect(arr(zeros([2, 3]).scatter(1, tensor([[1], [2]], { dtype: 'int64' }), ones([2, 1])))).toEqual([
        0, 1, 0, 0, 0, 1,
      ]);
      expect(arr(x.maskedFill(x.gt(3), -1))).toEqual([0, 1, 2, 3, -1, -1]);
      expect(arr(where(x.lt(2), x, zeros([1])))).toEqual([0, 1, 0, 0, 0, 0]);
      expect(arr(x.flip(1))).toEqual([2, 1, 0, 5, 4, 3]);
      expect(x.repeat(2, 2).shape).toEqual([4, 6]);
      expect(cat([x, x], 0).shape).toEqual([4, 3]);
      expect(stack([x, x], 1).shape).toEqual([2, 2, 3]);
      expect(split(x, 1, 1).length).toBe(3);
      expect(split(x, [1, 2], 1)[1].shape).toEqual([2, 2]);
      expect(chunk(x, 2, 0)[1].shape).toEqual([1, 3]);
      expect(arr(x.tril())).toEqual([0, 0, 0, 3, 4, 0]);
    });
  });

  it('math, comparisons and reductions', () => {
    scope(() => {
      const x = tensor(
        [
          [1, -2],
          [3, 4],
        ],
        { device },
      );
      expect(arr(x.add(1))).toEqual([2, -1, 4, 5]);
      expect(arr(x.sub(tensor([1, 1])))).toEqual([0, -3, 2, 3]);
      expect(arr(x.mul(x))).toEqual([1, 4, 9, 16]);
      expect(arr(x.div(2))).toEqual([0.5, -1, 1.5, 2]);
      expect(arr(x.pow(2))).toEqual([1, 4, 9, 16]);
      expect(arr(x.abs())).toEqual([1, 2, 3, 4]);
      expect(arr(x.neg())).toEqual([-1, 2, -3, -4]);
      expect(arr(x.clamp(0, 3))).toEqual([1, 0, 3, 3]);
      expect(arr(x.clamp(null, 0))).toEqual([0, -2, 0, 0]);
      expect(arr(x.relu())).toEqual([1, 0, 3, 4]);
      expect(arr(x.eq(3))).toEqual([0, 0, 1, 0]);
      expect(x.gt(0).dtype).toBe('bool');
      expect(arr(x.ge(tensor([1, 4])))).toEqual([1, 0, 1, 1]);
      expect(x.sum().item()).toBe(6);
      expect(arr(x.sum(0))).toEqual([4, 2]);
      expect(x.sum(1, true).shape).toEqual([2, 1]);
      expect(arr(x.mean(1))).toEqual([-0.5, 3.5]);
      expect(x.max().item()).toBe(4);
      expect(arr(x.min(1))).toEqual([-2, 3]);
      expect(arr(x.argmax(1))).toEqual([0, 1]);
      expect(x.argmax().item()).toBe(3);
      expect(x.var().item()).toBeCloseTo(7, 5);
      expect(x.std(1, false, false).toArray()[0]).toBeCloseTo(1.5, 6);
      expect(arr(x.cumsum(1))).toEqual([1, -1, 3, 7]);
      expect(tensor([0, 0]).logsumexp().item()).toBeCloseTo(Math.log(2), 6);
      expect(arr(tensor([1, 2]).softmax(0))[1]).toBeCloseTo(Math.exp(2) / (Math.exp(1) + Math.exp(2)), 6);
      expect(arr(x.matmul(eye(2, undefined, { device })))).toEqual([1, -2, 3, 4]);
      expect(x.float().dtype).toBe('float32');
      expect(x.long().dtype).toBe('int64');
      expect(x.to('float64').dtype).toBe('float64');
      expect(x.to('cpu').device).toBe('cpu');
      expect(x.toString()).toContain('shape=[2, 2]');
      expect(x.toString()).toContain('[[1.0, -2.0], [3.0, 4.0]]');
      const big = arange(100, undefined, 1, { device });
      const live = liveTensors();
      expect(big.toString()).toContain('[0, 1, 2, 3, 4, 5, ... (100 values)]');
      expect(liveTensors()).toBe(live);
    });
  });
});

describe('threads and devices', () => {
  it('defaults to 1 libtorch thread and exposes both thread settings', () => {
    expect(getNumThreads()).toBe(1);
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
    setNumThreads(1);
    expect(typeof getBlasThreads()).toBe('number');
    expect(typeof cuda.isAvailable()).toBe('boolean');
    expect(() => setNumThreads(0)).toThrow(/threads/);
  });

  it('cuda requests fail with a TorchError when there is no CUDA', () => {
    if (cuda.isAvailable()) return;
    expect(() => zeros([1], { device: 'cuda' })).toThrow(TorchError);
  });
});
