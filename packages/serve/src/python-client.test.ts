import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { Logger } from '@robofm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldSinePolicy } from './hold-sine-policy.ts';
import { PolicyServer } from './server.ts';

// Debian's python (not pyenv's): python3-msgpack, python3-numpy, python3-websockets.
const PY = '/usr/bin/python3';
const run = promisify(execFile);
const hasPy =
  existsSync(PY) &&
  (await run(PY, ['-c', 'import msgpack, numpy, websockets']).then(
    () => true,
    () => false,
  ));

// Written from the protocol description only: numpy arrays as maps with byte-string keys
// __ndarray__/data/dtype/shape, numpy scalars as __npgeneric__; metadata frame first; one binary
// request → one binary reply; a text frame is an error.
const CLIENT = `
import asyncio, json, sys
import msgpack, numpy as np, websockets

def pack_default(obj):
    if isinstance(obj, np.ndarray):
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj

def unpack_hook(obj):
    if b"__ndarray__" in obj:
        return np.ndarray(buffer=obj[b"data"], dtype=np.dtype(obj[b"dtype"]), shape=obj[b"shape"])
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj

pack = msgpack.Packer(default=pack_default).pack
unpack = lambda b: msgpack.unpackb(b, object_hook=unpack_hook)

async def main(uri, key):
    headers = {"Authorization": "Api-Key " + key} if key else None
    out = {}
    async with websockets.connect(uri, extra_headers=headers, max_size=None, compression=None) as ws:
        meta = unpack(await ws.recv())
        out["model"] = meta["model"]
        rng = np.random.default_rng(0)
        shapes = []
        for i in range(3):
            obs = {
                "state": rng.uniform(-0.1, 0.1, size=14).astype(np.float64 if i == 1 else np.float32),
                "images": {
                    "cam_high": rng.integers(0, 256, size=(3, 224, 224), dtype=np.uint8),
                    "cam_low": rng.integers(0, 256, size=(3, 224, 224), dtype=np.uint8),
                    "cam_left_wrist": rng.integers(0, 256, size=(480, 640, 3), dtype=np.uint8),
                    "cam_right_wrist": rng.random((3, 96, 128), dtype=np.float32),
                },
                "prompt": "transfer the cube",
            }
            if i == 2:
                obs["state"] = (obs["state"] * 1000).astype(np.int16)
            await ws.send(pack(obs))
            reply = await ws.recv()
            assert isinstance(reply, bytes), reply
            r = unpack(reply)
            a = r["actions"]
            assert isinstance(a, np.ndarray) and a.dtype == np.float32, type(a)
            assert np.all(np.isfinite(a))
            shapes.append(list(a.shape))
            out["timing_keys"] = sorted(r["server_timing"].keys())
            out["policy_infer_ms"] = float(r["policy_timing"]["infer_ms"])
        out["shapes"] = shapes
        bad = {"state": np.zeros(5, dtype=np.float32), "images": {"cam_high": np.zeros((3, 224, 224), np.uint8)}}
        await ws.send(pack(bad))
        err = await ws.recv()
        out["error_is_text"] = isinstance(err, str)
        out["error"] = err
        try:
            await ws.recv()
        except websockets.ConnectionClosed as e:
            out["close_code"] = e.code
    print(json.dumps(out))

asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""))
`;

describe.skipIf(!hasPy)('a Python client written from the protocol description', () => {
  let server: PolicyServer;
  beforeAll(async () => {
    server = await PolicyServer.start({
      models: [{ policy: new HoldSinePolicy({ horizon: 25 }) }],
      apiKeys: [{ key: 'py-key' }],
      logger: new Logger({}, 'silent'),
    });
  });
  afterAll(async () => server.close());

  it('gets actions [H, 14] for ALOHA requests, and an error text + close 1011 for a bad one', async () => {
    const { stdout } = await run(PY, ['-c', CLIENT, server.url, 'py-key'], { timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out.model).toBe('scripted-hold-sine');
    expect(out.shapes).toEqual([
      [25, 14],
      [25, 14],
      [25, 14],
    ]);
    expect(out.timing_keys).toEqual(expect.arrayContaining(['infer_ms', 'prev_total_ms']));
    expect(out.error_is_text).toBe(true);
    expect(out.error).toMatch(/state\.shape: got "\[5\]", expected \[14\]/);
    expect(out.close_code).toBe(1011);
  });

  it('is refused without its API key', async () => {
    await expect(run(PY, ['-c', CLIENT, server.url], { timeout: 60_000 })).rejects.toThrow(/401/);
  });
});
