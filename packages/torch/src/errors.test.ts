// Bad input never crashes the process: every case throws a TorchError (or ValidationError) naming
// the op, what was wrong and, for tensors, their shapes and dtypes.
import { RobofmError, ValidationError } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { cat, F, matmul, nn, ones, scope, type Tensor, tensor, TorchError, zeros } from './index.ts';

function err(fn: () => unknown): TorchError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TorchError);
    expect(e).toBeInstanceOf(RobofmError);
    return e as TorchError;
  }
  throw new Error('expected a TorchError');
}

describe('TorchError mapping', () => {
  it('shape mismatch names op, shapes and dtypes in argument order', () => {
    scope(() => {
      const e = err(() => matmul(zeros([2, 3]), zeros([2, 3], { dtype: 'float64' })));
      expect(e.op).toBe('matmul');
      expect(e.code).toMatch(/shape_mismatch|dtype_mismatch/);
      expect(e.shapes).toEqual([
        [2, 3],
        [2, 3],
      ]);
      expect(e.dtypes).toEqual(['float32', 'float64']);
      expect(e.message).not.toContain('Exception raised from'); // no C++ backtrace
      const b = err(() => zeros([2, 3]).add(zeros([4])));
      expect(b.code).toBe('shape_mismatch');
      expect(b.op).toBe('add');
    });
  });

  it('dtype errors', () => {
    scope(() => {
      const e = err(() => zeros([2]).maskedFill(zeros([2]), 1));
      expect(e.code).toBe('dtype_mismatch');
      err(() => F.embedding(zeros([2]), zeros([3, 2])));
      err(() => zeros([2], { dtype: 'int64' }).mean());
    });
  });

  it('out-of-range indices and dims', () => {
    scope(() => {
      expect(err(() => zeros([2, 2]).transpose(0, 5)).code).toBe('index_out_of_range');
      expect(err(() => F.embedding(tensor([0, 9], { dtype: 'int64' }), zeros([3, 2]))).code).toBe(
        'index_out_of_range',
      );
      expect(err(() => zeros([3]).indexSelect(0, tensor([7], { dtype: 'int64' }))).code).toBe(
        'index_out_of_range',
      );
      expect(err(() => zeros([2, 3]).gather(1, tensor([[5]], { dtype: 'int64' }))).code).toBe(
        'index_out_of_range',
      );
      expect(err(() => F.crossEntropy(zeros([2, 3]), tensor([0, 3], { dtype: 'int64' }))).code).toBe(
        'index_out_of_range',
      );
      err(() => zeros([2]).narrow(0, 1, 5));
      err(() => zeros([4]).item());
    });
  });

  it('disposed and non-tensor arguments', () => {
    const a = ones([2]);
    const b = ones([2]);
    b.dispose();
    expect(b.isDisposed).toBe(true);
    const e = err(() => a.add(b));
    expect(e.code).toBe('tensor_disposed');
    expect(err(() => b.sum()).code).toBe('tensor_disposed');
    expect(err(() => a.add({} as unknown as Tensor)).code).toBe('invalid_argument');
    expect(err(() => cat([a, 'x' as unknown as Tensor])).code).toBe('invalid_argument');
    expect(err(() => cat([])).code).toBe('invalid_argument');
    // A stale handle number (slot reused by a new tensor) is still detected.
    const c = ones([1]);
    const stale = c.id;
    c.dispose();
    const d = ones([1]);
    const fake = Object.assign(Object.create(Object.getPrototypeOf(d)), { id: stale }) as Tensor;
    expect(err(() => fake.sum()).code).toBe('tensor_disposed');
    a.dispose();
    d.dispose();
  });

  it('bad options are validation errors naming the field', () => {
    expect(() => zeros([2], { dtype: 'float8' as never })).toThrow(ValidationError);
    expect(() => zeros([2], { dtype: 'float8' as never })).toThrow(/dtype/);
    expect(() => zeros([-1])).toThrow(TorchError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor(new Float32Array(5), { shape: [2, 3] })).toThrow(TorchError);
    expect(() => new nn.Linear(0, 3)).toThrow(/inFeatures/);
    expect(() => F.mseLoss(zeros([2]), zeros([3]))).toThrow(/mseLoss/);
    expect(() => zeros([1]).backward()).toThrow(TorchError);
  });
});
