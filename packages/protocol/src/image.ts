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
  const src = value.data;
  const u8 = src instanceof Uint8Array ? src : null;
  // Read pixel (y, x, channel k) as uint8 in HWC RGB.
  const at = (y: number, x: number, k: number): number => {
    const kk = c === 1 ? 0 : k;
    const idx = chw ? (kk * h + y) * w + x : (y * w + x) * c + kk;
    if (u8) return u8[idx];
    const v = elementAsNumber(value, idx);
    if (!Number.isFinite(v)) throw new ValidationError(`${field}[${idx}]`, v, 'a finite pixel value');
    const s = isFloat ? v * 255 : v;
    return s <= 0 ? 0 : s >= 255 ? 255 : Math.round(s);
  };
  const out = new Uint8Array(target.width * target.height * 3);
  if (h === target.height && w === target.width) {
    let o = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < 3; k++) out[o++] = at(y, x, k);
    return out;
  }
  // Bilinear resize with pixel-centre alignment (as PIL/cv2 INTER_LINEAR do).
  const sy = h / target.height;
  const sx = w / target.width;
  let o = 0;
  for (let ty = 0; ty < target.height; ty++) {
    const fy = Math.min(Math.max((ty + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const dy = fy - y0;
    for (let tx = 0; tx < target.width; tx++) {
      const fx = Math.min(Math.max((tx + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const dx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const top = at(y0, x0, k) * (1 - dx) + at(y0, x1, k) * dx;
        const bot = at(y1, x0, k) * (1 - dx) + at(y1, x1, k) * dx;
        out[o++] = Math.round(top * (1 - dy) + bot * dy);
      }
    }
  }
  return out;
}
