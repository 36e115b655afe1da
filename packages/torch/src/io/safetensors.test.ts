// Spec tests: files built by hand with Python + numpy (independent of our writer) are read back;
// our files are parsed by hand in Python. Malformed files give TorchError('safetensors_invalid').
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  arange,
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
  scope,
  tensor,
  TorchError,
} from '../index.ts';
import { findPython } from '../python.ts';

const py = findPython(['numpy']);
const dir = mkdtempSync(join(tmpdir(), 'robofm-st-'));

// Builds the format by hand: 8-byte LE header length, JSON header padded with spaces to 8, raw data.
const WRITER = `
import json, struct, sys, numpy as np
arrays = {
  "f32": np.array([[1.5, -2.0, 3.25], [4.0, 5.5, -6.75]], dtype="<f4"),
  "f64": np.array([0.1, 1e300], dtype="<f8"),
  "i64": np.array([-(2**40), 7], dtype="<i8"),
  "i32": np.array([[1], [-2]], dtype="<i4"),
  "u8": np.array([0, 255, 3], dtype="u1"),
  "b": np.array([True, False, True], dtype="?"),
  "f16": np.array([1.0, -0.5, 65504.0], dtype="<f2"),
  "bf16": (np.array([1.0, -3.0], dtype="<f4").view("<u4") >> 16).astype("<u2"),
  "scalar": np.array(2.5, dtype="<f4"),
  "empty": np.zeros((0, 3), dtype="<f4"),
}
codes = {"f32": "F32", "f64": "F64", "i64": "I64", "i32": "I32", "u8": "U8", "b": "BOOL", "f16": "F16", "bf16": "BF16", "scalar": "F32", "empty": "F32"}
header, blobs, off = {"__metadata__": {"format": "pt", "note": "hand made"}}, [], 0
for name in ["f64", "bf16", "b", "empty", "f32", "i32", "scalar", "i64", "u8", "f16"]:
  raw = arrays[name].tobytes()
  header[name] = {"dtype": codes[name], "shape": list(arrays[name].shape), "data_offsets": [off, off + len(raw)]}
  blobs.append(raw); off += len(raw)
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
`;

const READER = `
import json, struct, sys, numpy as np
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
assert n % 8 == 0, "header not padded to 8"
header = json.loads(data[8:8 + n])
body = data[8 + n:]
dt = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?", "F16": "<f2", "BF16": "<u2"}
out = {"__metadata__": header.pop("__metadata__", None)}
end = 0
for name, info in header.items():
  b, e = info["data_offsets"]
  arr = np.frombuffer(body[b:e], dtype=dt[info["dtype"]]).reshape(info["shape"])
  if info["dtype"] == "BF16": arr = (arr.astype("<u4") << 16).view("<f4")
  out[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": arr.astype(float).ravel().tolist()}
  end = max(end, e)
assert end == len(body), "data section has trailing bytes"
print(json.dumps(out))
`;

describe.skipIf(!py)('safetensors against an independent Python + numpy implementation', () => {
  it('reads a file built by hand in Python', () => {
    const file = join(dir, 'py.safetensors');
    execFileSync(py!, ['-c', WRITER, file]);
    scope(() => {
      const { tensors, metadata } = loadSafetensors(file);
      expect(metadata).toEqual({ format: 'pt', note: 'hand made' });
      expect(tensors.f32.shape).toEqual([2, 3]);
      expect(tensors.f32.toNumberArray()).toEqual([1.5, -2, 3.25, 4, 5.5, -6.75]);
      expect(tensors.f64.toNumberArray()).toEqual([0.1, 1e300]);
      expect(tensors.i64.toArray()).toEqual(new BigInt64Array([-(2n ** 40n), 7n]));
      expect(tensors.i32.shape).toEqual([2, 1]);
      expect(tensors.i32.toNumberArray()).toEqual([1, -2]);
      expect(tensors.u8.toNumberArray()).toEqual([0, 255, 3]);
      expect(tensors.b.dtype).toBe('bool');
      expect(tensors.b.toNumberArray()).toEqual([1, 0, 1]);
      expect(tensors.f16.dtype).toBe('float16');
      expect(Array.from(tensors.f16.toFloat32Array())).toEqual([1, -0.5, 65504]);
      expect(tensors.bf16.dtype).toBe('bfloat16');
      expect(Array.from(tensors.bf16.toFloat32Array())).toEqual([1, -3]);
      expect(tensors.scalar.shape).toEqual([]);
      expect(tensors.scalar.item()).toBe(2.5);
      expect(tensors.empty.shape).toEqual([0, 3]);
      // the in-memory decoder agrees with the file reader
      const again = decodeSafetensors(new Uint8Array(readFileSync(file)));
      expect(Object.keys(again.tensors).sort()).toEqual(Object.keys(tensors).sort());
    });
  });

  it('writes files Python parses by hand', () => {
    const file = join(dir, 'ts.safetensors');
    scope(() => {
      saveSafetensors(
        file,
        {
          'blocks.0.attn.qkv.weight': arange(6, undefined, 1, { dtype: 'float32' }).reshape(2, 3),
          f64: tensor([0.25, -1e-300], { dtype: 'float64' }),
          i64: tensor(new BigInt64Array([-5n, 2n ** 50n])),
          i32: tensor(new Int32Array([3])),
          u8: tensor(new Uint8Array([9])),
          b: tensor([true, false]),
          f16: tensor([1.5, -2]).half(),
          bf16: tensor([1.5, -2]).bfloat16(),
          odd: tensor([1, 2, 3]).to('uint8'), // 3 bytes: later offsets are not 8-aligned, which the spec allows
        },
        { format: 'pt', step: '12' },
      );
    });
    const out = JSON.parse(execFileSync(py!, ['-c', READER, file], { encoding: 'utf8' }));
    expect(out.__metadata__).toEqual({ format: 'pt', step: '12' });
    expect(out['blocks.0.attn.qkv.weight']).toEqual({
      dtype: 'F32',
      shape: [2, 3],
      values: [0, 1, 2, 3, 4, 5],
    });
    expect(out.f64.values).toEqual([0.25, -1e-300]);
    expect(out.i64.values).toEqual([-5, 2 ** 50]);
    expect(out.i32).toEqual({ dtype: 'I32', shape: [1], values: [3] });
    expect(out.u8.values).toEqual([9]);
    expect(out.b).toEqual({ dtype: 'BOOL', shape: [2], values: [1, 0] });
    expect(out.f16).toEqual({ dtype: 'F16', shape: [2], values: [1.5, -2] });
    expect(out.bf16).toEqual({ dtype: 'BF16', shape: [2], values: [1.5, -2] });
  });
});

describe('safetensors validation', () => {
  it('encode/decode round-trips and is byte-identical to saveSafetensors', () => {
    scope(() => {
      const t = { a: tensor([1, 2, 3]), z: tensor([[true]]) };
      const bytes = encodeSafetensors(t, { k: 'v' });
      const file = join(dir, 'rt.safetensors');
      saveSafetensors(file, t, { k: 'v' });
      expect(Buffer.compare(Buffer.from(bytes), readFileSync(file))).toBe(0);
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(n % 8).toBe(0);
      const { tensors, metadata } = decodeSafetensors(bytes);
      expect(metadata).toEqual({ k: 'v' });
      expect(tensors.a.toNumberArray()).toEqual([1, 2, 3]);
      expect(tensors.z.shape).toEqual([1, 1]);
    });
  });

  it('rejects malformed files with safetensors_invalid', () => {
    const good = scope(() => encodeSafetensors({ a: tensor([1, 2]) }));
    const bad = (mutate: (b: Uint8Array) => Uint8Array) => {
      try {
        scope(() => decodeSafetensors(mutate(good.slice())));
      } catch (e) {
        expect(e).toBeInstanceOf(TorchError);
        expect((e as TorchError).code).toBe('safetensors_invalid');
        return (e as Error).message;
      }
      throw new Error('accepted a malformed file');
    };
    expect(bad((b) => b.subarray(0, 5))).toMatch(/too short/);
    expect(bad((b) => b.subarray(0, b.byteLength - 1))).toMatch(/beyond|cover/);
    expect(
      bad((b) => {
        new DataView(b.buffer).setBigUint64(0, 10n ** 12n, true);
        return b;
      }),
    ).toMatch(/header length/);
    const withHeader = (h: object, data: number) => {
      const j = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + j.byteLength + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(j.byteLength), true);
      out.set(j, 8);
      return () => out;
    };
    expect(bad(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4))).toMatch(/needs 8/);
    expect(bad(withHeader({ a: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, 1))).toMatch(
      /unsupported/,
    );
    expect(bad(withHeader({ a: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } }, 2))).toMatch(/hole/);
    expect(
      bad(
        withHeader(
          {
            a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] },
            b: { dtype: 'U8', shape: [2], data_offsets: [1, 3] },
          },
          3,
        ),
      ),
    ).toMatch(/overlap/);
    writeFileSync(join(dir, 'junk.safetensors'), 'not a safetensors file at all');
    expect(() => loadSafetensors(join(dir, 'junk.safetensors'))).toThrow(TorchError);
  });
});
