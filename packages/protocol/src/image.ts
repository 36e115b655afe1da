import { ValidationError } from '@robofm/core';
import { NdArray, elementAsNumber } from './ndarray.ts';

export interface ImageSize {
  width: number;
  height: number;
}

/** Largest image side accepted on the wire (pixels). */
export const MAX_IMAGE_SIDE = 4096;

/**
 * Turns whatever a client sent as one camera image into HWC uint8 RGB of `target` size:
 * - layout HWC `[H, W, C]` or CHW `[C, H, W]` (C in 1, 3, 4; `[H, W]` is grayscale); a leading
 *   batch axis of 1 is dropped;
 * - uint8 as is; floats are taken as [0, 1] and scaled by 255 (as openpi's ALOHA decoding does);
 *   other integers are clamped to [0, 255]; NaN/Inf are rejected;
 * - any reasonable size, resized bilinearly to `target`.
 */
export function toHwcUint8(field: string, value: unknown, target: ImageSize): Uint8Array {
  if (!(value instanceof NdArray))
    throw new ValidationError(
      field,
      value,
      `an image ndarray (uint8 HWC or CHW, target ${target.height}x${target.width}x3)`,
    );
  let shape = value.shape;
  if (shape.length === 4 && shape[0] === 1) shape = shape.slice(1);
  let h: number;
  let w: number;
  let c: number;
  let chw: boolean;
  if (shape.length === 2) {
    [h, w] = shape;
    c = 1;
    chw = false;
  } else if (shape.length === 3) {
    const hwc = shape[2] === 1 || shape[2] === 3 || shape[2] === 4;
    const isChw = shape[0] === 1 || shape[0] === 3 || shape[0] === 4;
    if (hwc) {
      [h, w, c] = shape;
      chw = false;
    } else if (isChw) {
      [c, h, w] = shape;
      chw = true;
    } else {
      throw new ValidationError(
        `${field}.shape`,
        `[${shape.join(', ')}]`,
        'an image as [H, W, C] or [C, H, W] with C in 1, 3, 4',
      );
    }
  } else {
    throw new ValidationError(
      `${field}.shape`,
      `[${shape.join(', ')}]`,
      'an image as [H, W, C] or [C, H, W] with C in 1, 3, 4',
    );
  }
  if (h < 1 || w < 1 || h > MAX_IMAGE_SIDE || w > MAX_IMAGE_SIDE)
    throw new ValidationError(
      `${field}.shape`,
      `[${shape.join(', ')}]`,
      `image sides between 1 and ${MAX_IMAGE_SIDE}`,
    );
  if (value.dtype === '|b1')
    throw new ValidationError(`${field}.dtype`, value.dtype, 'uint8 or float image data');
  const isFloat = value.dtype === '<f4' || value.dtype === '<f8';
  // Source as uint8-range values with strides (no full-size copy for uint8 input).
  let data: Uint8Array | Float32Array;
  if (value.data instanceof Uint8Array) data = value.data;
  else {
    const f = new Float32Array(value.size);
    for (let i = 0; i < f.length; i++) {
      const v = elementAsNumber(value, i);
      if (!Number.isFinite(v)) throw new ValidationError(`${field}[${i}]`, v, 'a finite pixel value');
      const sv = isFloat ? v * 255 : v;
      f[i] = sv <= 0 ? 0 : sv >= 255 ? 255 : Math.round(sv);
    }
    data = f;
  }
  const strides = chw ? { y: w, x: 1, k: c === 1 ? 0 : h * w } : { y: w * c, x: c, k: c === 1 ? 0 : 1 };
  return resizeBilinear(data, h, w, strides, target.height, target.width);
}

/**
 * Bilinear resize to HWC RGB uint8 with pixel-centre alignment (as cv2 INTER_LINEAR); reads the
 * source through strides so HWC and CHW need no transposed copy. Same size is a plain copy.
 */
export function resizeBilinear(
  src: Uint8Array | Float32Array,
  h: number,
  w: number,
  stride: { y: number; x: number; k: number },
  th: number,
  tw: number,
): Uint8Array {
  const out = new Uint8Array(th * tw * 3);
  const k1 = stride.k;
  const k2 = 2 * stride.k;
  if (h === th && w === tw) {
    let o = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * stride.y + x * stride.x;
        out[o++] = src[i];
        out[o++] = src[i + k1];
        out[o++] = src[i + k2];
      }
    return out;
  }
  const x0s = new Int32Array(tw);
  const x1s = new Int32Array(tw);
  const dxs = new Float32Array(tw);
  for (let tx = 0; tx < tw; tx++) {
    const fx = Math.min(Math.max((tx + 0.5) * (w / tw) - 0.5, 0), w - 1);
    x0s[tx] = Math.floor(fx) * stride.x;
    x1s[tx] = Math.min(Math.floor(fx) + 1, w - 1) * stride.x;
    dxs[tx] = fx - Math.floor(fx);
  }
  let o = 0;
  for (let ty = 0; ty < th; ty++) {
    const fy = Math.min(Math.max((ty + 0.5) * (h / th) - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const r0 = y0 * stride.y;
    const r1 = Math.min(y0 + 1, h - 1) * stride.y;
    const dy = fy - y0;
    for (let tx = 0; tx < tw; tx++) {
      const a = x0s[tx];
      const b = x1s[tx];
      const dx = dxs[tx];
      for (let k = 0; k < 3; k++) {
        const kk = k * k1;
        const top = src[r0 + a + kk] * (1 - dx) + src[r0 + b + kk] * dx;
        const bot = src[r1 + a + kk] * (1 - dx) + src[r1 + b + kk] * dx;
        out[o++] = Math.round(top * (1 - dy) + bot * dy);
      }
    }
  }
  return out;
}
