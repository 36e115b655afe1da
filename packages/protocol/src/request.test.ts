import type { ActionChunk, PolicyEmbodimentInfo } from '@robofm/core';
import { ValidationError } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { toHwcUint8 } from './image.ts';
import { decodeFrame, encodeFrame } from './msgpack.ts';
import { NdArray } from './ndarray.ts';
import { observationToRequest, requestToObservation } from './request.ts';
import {
  chunkToResponse,
  metadataFrame,
  parseMetadataFrame,
  responseToChunk,
  withServerTiming,
} from './response.ts';

const cams = (names: string[], w = 32, h = 24) => names.map((name) => ({ name, width: w, height: h }));
const bimanual: PolicyEmbodimentInfo = {
  stateDim: 14,
  actionDim: 14,
  controlHz: 50,
  cameras: cams(['cam_high', 'cam_left_wrist', 'cam_right_wrist']),
};
const arm: PolicyEmbodimentInfo = { stateDim: 7, actionDim: 7, controlHz: 20, cameras: cams(['front']) };
const spec = { embodiments: { bimanual, arm } };

function errorOf(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('requestToObservation', () => {
  it('serves openpi ALOHA requests (CHW uint8 224x224, int state) with the bimanual embodiment', () => {
    const img = new Uint8Array(3 * 224 * 224).fill(200);
    const req = {
      state: new NdArray(new Float64Array(14).fill(0.5), [14]),
      images: {
        cam_high: new NdArray(img, [3, 224, 224]),
        cam_low: new NdArray(img, [3, 224, 224]),
        cam_left_wrist: new NdArray(img, [3, 224, 224]),
      },
      prompt: 'transfer the cube',
    };
    const { observation, layout } = requestToObservation(decodeFrame(encodeFrame(req)), spec);
    expect(layout).toBe('aloha');
    expect(observation.embodiment).toBe('bimanual');
    expect(observation.state).toEqual(new Float32Array(14).fill(0.5));
    expect(observation.images.cam_high.length).toBe(32 * 24 * 3);
    expect(observation.images.cam_high.every((v) => v === 200)).toBe(true);
    // missing right wrist camera is black, as openpi fills it
    expect(observation.images.cam_right_wrist.every((v) => v === 0)).toBe(true);
    expect(observation.instruction).toBe('transfer the cube');
    // int state works too
    const intReq = { ...req, state: new NdArray(new Int32Array(14).fill(2), [14]) };
    expect(requestToObservation(intReq, spec).observation.state[3]).toBe(2);
  });

  it('native requests name their embodiment; HWC floats are scaled', () => {
    const req = {
      embodiment: 'arm',
      state: [1, 2, 3, 4, 5, 6, 7],
      images: { front: new NdArray(new Float32Array(24 * 32 * 3).fill(1), [24, 32, 3]) },
      prompt: 'pick',
    };
    const { observation } = requestToObservation(req, spec);
    expect(observation.images.front[0]).toBe(255);
  });

  it('names field, value and expectation on bad input', () => {
    const base = {
      embodiment: 'arm',
      state: new NdArray(new Float32Array(7), [7]),
      images: { front: new NdArray(new Uint8Array(24 * 32 * 3), [24, 32, 3]) },
    };
    let e = errorOf(() =>
      requestToObservation({ ...base, state: new NdArray(new Float32Array(6), [6]) }, spec),
    );
    expect(e.field).toBe('state.shape');
    expect(e.message).toMatch(/got "\[6\]", expected \[7\]/);
    e = errorOf(() =>
      requestToObservation(
        { ...base, state: new NdArray(new Float32Array([0, 0, Number.NaN, 0, 0, 0, 0]), [7]) },
        spec,
      ),
    );
    expect(e.field).toBe('state[2]');
    e = errorOf(() => requestToObservation({ ...base, embodiment: 'quadruped' }, spec));
    expect(e.message).toMatch(/embodiment: got "quadruped", expected one of bimanual, arm/);
    e = errorOf(() => requestToObservation({ ...base, images: {} }, spec));
    expect(e.field).toBe('images.front');
    e = errorOf(() =>
      requestToObservation(
        { ...base, images: { front: new NdArray(new Uint8Array(10 * 10 * 5), [10, 10, 5]) } },
        spec,
      ),
    );
    expect(e.field).toBe('images.front.shape');
    e = errorOf(() => requestToObservation([1, 2], spec));
    expect(e.field).toBe('request');
  });

  it('observationToRequest round-trips through the wire', () => {
    const obs = {
      embodiment: 'arm',
      state: new Float32Array([1, 2, 3, 4, 5, 6, 7]),
      images: { front: new Uint8Array(24 * 32 * 3).map((_, i) => i % 251) },
      instruction: 'stack',
    };
    for (const chw of [false, true]) {
      const back = requestToObservation(
        decodeFrame(encodeFrame(observationToRequest(obs, arm, { chw }))),
        spec,
      );
      expect(back.observation.images.front).toEqual(obs.images.front);
      expect(back.observation.state).toEqual(obs.state);
      expect(back.observation.instruction).toBe('stack');
    }
  });
});

describe('toHwcUint8', () => {
  it('resizes bilinearly and keeps a constant image constant', () => {
    const img = new NdArray(new Uint8Array(100 * 80 * 3).fill(77), [80, 100, 3]);
    const out = toHwcUint8('img', img, { width: 10, height: 8 });
    expect(out.length).toBe(240);
    expect(out.every((v) => v === 77)).toBe(true);
    // left half 0, right half 255 -> left pixels stay 0 after downscale
    const g = new Uint8Array(4 * 4).map((_, i) => (i % 4 < 2 ? 0 : 255));
    const o2 = toHwcUint8('g', new NdArray(g, [4, 4]), { width: 2, height: 2 });
    expect(Array.from(o2.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(o2.subarray(3, 6))).toEqual([255, 255, 255]);
  });
});

describe('responses and metadata', () => {
  it('chunk -> response -> chunk', () => {
    const chunk: ActionChunk = {
      actions: new Float32Array(6).map((_, i) => i),
      horizon: 3,
      actionDim: 2,
      timing: { inferMs: 4 },
    };
    const resp = withServerTiming(chunkToResponse(chunk), { infer_ms: 5, prev_total_ms: 9 });
    const back = responseToChunk(decodeFrame(encodeFrame(resp)), 2);
    expect(back.actions).toEqual(chunk.actions);
    expect(back.horizon).toBe(3);
    expect(back.timing).toEqual({ inferMs: 4, serverMs: 5, prevTotalMs: 9 });
    expect(() => responseToChunk({ actions: new NdArray(new Float32Array(6), [3, 2]) }, 14)).toThrow(
      /actions\.shape/,
    );
  });

  it('metadata frame round-trips', () => {
    const meta = { id: 'scripted', actionHorizon: 10, embodiments: { arm } };
    const back = parseMetadataFrame(decodeFrame(encodeFrame(metadataFrame(meta))));
    expect(back.id).toBe('scripted');
    expect(back.embodiments.arm).toEqual(arm);
    expect(() => parseMetadataFrame({ model: 'x', action_horizon: 0, embodiments: {} })).toThrow(
      /action_horizon/,
    );
  });
});

describe('parseRequestLayouts', () => {
  it('reads a DROID-like layout from JSON and drives an embodiment with it', async () => {
    const { parseRequestLayouts } = await import('./request.ts');
    const layouts = parseRequestLayouts([
      {
        name: 'droid-ish',
        embodiments: ['arm'],
        state: ['observation/joint_position'],
        images: [{ path: ['observation/exterior_image_1_left'], cameras: ['front'], required: true }],
        prompt: 'prompt',
      },
    ]);
    const req = {
      'observation/joint_position': new NdArray(new Float32Array(7).fill(0.25), [7]),
      'observation/exterior_image_1_left': new NdArray(new Uint8Array(180 * 320 * 3).fill(5), [180, 320, 3]),
      prompt: 'pick',
    };
    const r = requestToObservation(req, { embodiments: { arm }, layouts });
    expect(r.layout).toBe('droid-ish');
    expect(r.observation.state[6]).toBe(0.25);
    expect(() => parseRequestLayouts([{ name: 'x', embodiments: [], state: 's', images: [] }])).toThrow(
      /layouts\[0\]\.embodiments: got array\(length 0\), expected a non-empty array/,
    );
  });
});
