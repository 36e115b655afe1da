import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ValidationError } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './msgpack.ts';
import { F64, NdArray, NpScalar } from './ndarray.ts';

const PY = '/usr/bin/python3';
const hasPy =
  existsSync(PY) &&
  (() => {
    try {
      execFileSync(PY, ['-c', 'import msgpack, numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

// openpi's numpy extension, written here from its description (bin keys, dtype.str, shape list).
const PY_PACK = `
import sys, msgpack, numpy as np
def pack_array(obj):
    if isinstance(obj, np.ndarray):
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj
def unpack_array(obj):
    if b"__ndarray__" in obj:
        return np.ndarray(buffer=obj[b"data"], dtype=np.dtype(obj[b"dtype"]), shape=obj[b"shape"])
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj
`;

function py(script: string, input?: Uint8Array): Buffer {
  return execFileSync(PY, ['-c', PY_PACK + script], { input: input ? Buffer.from(input) : undefined });
}

describe('encodeFrame / decodeFrame', () => {
  it('round-trips ndarrays of every dtype, scalars, nesting', () => {
    const v = {
      a: new NdArray(new Float32Array([1.5, -2, 3]), [3]),
      b: new NdArray(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3]),
      c: new NdArray(new BigInt64Array([1n, -2n]), [2]),
      d: new NdArray(new Float64Array([Math.PI]), [1, 1]),
      e: new NdArray(new Int16Array([-7, 8]), [2]),
      s: 'hello',
      n: [1, -1, 200, -200, 70000, -70000, 2 ** 40, -(2 ** 40), 0.25],
      nested: { x: { y: [true, false, null] } },
    };
    const back = decodeFrame(encodeFrame(v)) as Record<string, unknown>;
    for (const k of ['a', 'b', 'c', 'd', 'e'] as const) {
      const src = v[k];
      const got = back[k] as NdArray;
      expect(got).toBeInstanceOf(NdArray);
      expect(got.dtype).toBe(src.dtype);
      expect(got.shape).toEqual(src.shape);
      expect(Array.from(got.data as ArrayLike<unknown>)).toEqual(Array.from(src.data as ArrayLike<unknown>));
    }
    expect(back.s).toBe('hello');
    expect(back.n).toEqual(v.n);
    expect(back.nested).toEqual(v.nested);
  });

  it('rejects bad ndarray maps naming the field', () => {
    const bad = (o: unknown) => {
      try {
        decodeFrame(encodeFrame(o));
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    const m = (fields: [string, unknown][]) =>
      new Map<unknown, unknown>(fields.map(([k, v]) => [new TextEncoder().encode(k), v]));
    expect(
      bad({
        state: m([
          ['__ndarray__', true],
          ['data', new Uint8Array(3)],
          ['dtype', '<f4'],
          ['shape', [1]],
        ]),
      }),
    ).toMatch(/state\.data: got "3 bytes", expected 4 bytes/);
    expect(
      bad({
        state: m([
          ['__ndarray__', true],
          ['data', new Uint8Array(4)],
          ['dtype', '<c8'],
          ['shape', [1]],
        ]),
      }),
    ).toMatch(/state\.dtype: got "<c8"/);
    expect(
      bad({
        img: m([
          ['__ndarray__', true],
          ['data', new Uint8Array(4)],
          ['dtype', '|u1'],
          ['shape', [-1]],
        ]),
      }),
    ).toMatch(/img\.shape\[0\]: got -1/);
    expect(() => decodeFrame(new Uint8Array([0xc1]))).toThrow(/frame/);
    expect(() => decodeFrame(new Uint8Array(10), { maxBytes: 4 })).toThrow(/at most 4 bytes/);
  });

  it('decodes big-endian and float16 arrays', () => {
    const be = new Uint8Array([0x3f, 0x80, 0, 0]); // 1.0f big-endian
    const m = new Map<unknown, unknown>([
      [new TextEncoder().encode('__ndarray__'), true],
      [new TextEncoder().encode('data'), be],
      [new TextEncoder().encode('dtype'), '>f4'],
      [new TextEncoder().encode('shape'), [1]],
    ]);
    const got = decodeFrame(encodeFrame(m)) as NdArray;
    expect(got.dtype).toBe('<f4');
    expect(got.data[0]).toBe(1);
  });

  it.skipIf(!hasPy)('matches Python msgpack_numpy byte for byte, both ways', () => {
    const value = {
      state: new NdArray(new Float32Array([0.5, -1.25, 3]), [3]),
      image: new NdArray(new Uint8Array([0, 1, 2, 3, 4, 5]), [3, 1, 2]),
      ids: new NdArray(new BigInt64Array([5n, -6n]), [2]),
      prompt: 'fold the towel',
      timing: { infer_ms: new F64(12), prev_total_ms: new F64(3.5) },
      k: [1, 300, -5, -300, 1 << 20],
      scalar: new NpScalar(2.5, '<f4'),
    };
    const ours = encodeFrame(value);
    const theirs = py(`
sys.stdout.buffer.write(msgpack.Packer(default=pack_array).pack({
  "state": np.array([0.5, -1.25, 3], dtype=np.float32),
  "image": np.arange(6, dtype=np.uint8).reshape(3, 1, 2),
  "ids": np.array([5, -6], dtype=np.int64),
  "prompt": "fold the towel",
  "timing": {"infer_ms": 12.0, "prev_total_ms": 3.5},
  "k": [1, 300, -5, -300, 1 << 20],
  "scalar": np.float32(2.5),
}))`);
    expect(Buffer.from(ours).toString('hex')).toBe(theirs.toString('hex'));
    // and Python decodes ours to the same arrays
    const check = py(
      `
d = msgpack.unpackb(sys.stdin.buffer.read(), object_hook=unpack_array)
assert d["state"].dtype == np.float32 and d["state"].tolist() == [0.5, -1.25, 3.0], d
assert d["image"].shape == (3, 1, 2) and d["image"].dtype == np.uint8
assert d["ids"].tolist() == [5, -6]
print("ok")`,
      ours,
    );
    expect(check.toString().trim()).toBe('ok');
  });
});
