import { NdArray, encodeFrame } from '@robofm/protocol';
import { alohaRequest } from './test-client.ts';

/** Small deterministic PRNG (mulberry32) so a failing fuzz case can be replayed by seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TE = new TextEncoder();

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 10));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return Math.floor((r() - 0.5) * 2 ** (r() * 64));
    case 3:
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 4:
      return ['state', 'images', 'prompt', '__ndarray__', 'data', '', 'é', '<f4'][Math.floor(r() * 8)];
    case 5:
      return new Uint8Array(Math.floor(r() * 64)).map(() => Math.floor(r() * 256));
    case 6:
      return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
    case 7: {
      const o: Record<string, unknown> = {};
      const keys = [
        'state',
        'images',
        'prompt',
        'embodiment',
        'cam_high',
        'data',
        'dtype',
        'shape',
        '__ndarray__',
        'x',
      ];
      for (let i = 0; i < Math.floor(r() * 5); i++)
        o[keys[Math.floor(r() * keys.length)]] = randomValue(r, depth + 1);
      return o;
    }
    case 8: {
      // an ndarray map with random (often inconsistent) fields, bin keys as numpy writes them
      return new Map<unknown, unknown>([
        [TE.encode('__ndarray__'), true],
        [TE.encode('data'), randomValue(r, depth + 1)],
        [
          TE.encode('dtype'),
          ['<f4', '|u1', '<i8', '>f8', '<f2', '|b1', '<c8', 'O', '<U3', 7][Math.floor(r() * 10)],
        ],
        [TE.encode('shape'), randomValue(r, depth + 1)],
      ]);
    }
    default:
      return new Map<unknown, unknown>([[TE.encode(String(r())), randomValue(r, depth + 1)]]);
  }
}

const VALID = encodeFrame(alohaRequest(0, 32));

/** Corrupts one field of a valid ALOHA request in a way a buggy client might. */
function corruptRequest(r: () => number): unknown {
  const req = alohaRequest(Math.floor(r() * 100), 32) as Record<string, unknown>;
  const images = req.images as Record<string, unknown>;
  switch (Math.floor(r() * 12)) {
    case 0: {
      const n = Math.floor(r() * 30);
      req.state = new NdArray(new Float32Array(n), [n]);
      break;
    }
    case 1:
      req.state = new NdArray(new Float32Array(14).fill(Number.NaN), [14]);
      break;
    case 2:
      images.cam_high = new NdArray(new Uint8Array(7 * 5 * 2), [7, 5, 2]);
      break;
    case 3:
      images.cam_high = 'not an image';
      break;
    case 4:
      req.images = randomValue(r, 2);
      break;
    case 5:
      req.prompt = randomValue(r, 2);
      break;
    case 6:
      req.state = randomValue(r, 1);
      break;
    case 7:
      images.cam_low = new NdArray(new Float64Array(3 * 8 * 8).fill(Number.POSITIVE_INFINITY), [3, 8, 8]);
      break;
    case 8:
      delete req.state;
      break;
    case 9:
      req.embodiment = randomValue(r, 3);
      break;
    case 10:
      images.cam_high = new NdArray(new Uint8Array(3 * 5000 * 1), [3, 5000, 1]);
      break;
    default:
      return req; // a valid request now and then
  }
  return req;
}

/** One fuzz frame: random bytes, mutated/truncated valid frames, random msgpack, corrupted requests, text. */
export function fuzzFrame(r: () => number): Uint8Array | string {
  const kind = Math.floor(r() * 7);
  try {
    switch (kind) {
      case 0:
        return new Uint8Array(Math.floor(r() * 300)).map(() => Math.floor(r() * 256));
      case 1: {
        const b = VALID.slice();
        for (let i = 0; i < 1 + Math.floor(r() * 8); i++)
          b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        return b;
      }
      case 2:
        return VALID.slice(0, Math.floor(r() * VALID.length));
      case 3:
        return encodeFrame(randomValue(r, 0));
      case 4:
      case 5:
        return encodeFrame(corruptRequest(r));
      default:
        return r() < 0.5 ? 'not msgpack' : '\u0000\uffff';
    }
  } catch {
    // our own encoder refused the random value (e.g. an integer out of range): send raw bytes instead
    return new Uint8Array([0xc1]);
  }
}
