import { GLYPH_H, drawText, textWidth } from './font.ts';
import { encodePng } from './png.ts';

export type Rgb = readonly [number, number, number];

/**
 * An RGB raster for report plots (loss curves, learning curves, bar charts): pixels, lines,
 * rectangles and 5×7 text, encoded as PNG. Everything outside the image is clipped.
 */
export class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.pixels.set(background, i * 3);
  }

  /** One pixel at the rounded (x, y). */
  set(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    this.pixels.set(c, (yi * this.width + xi) * 3);
  }

  /** A one-pixel line; with `dash` > 0, `dash` pixels on, `dash` off. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, dash = 0): void {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let s = 0; s <= n; s++) {
      if (dash && Math.floor(s / dash) % 2 === 1) continue;
      this.set(x0 + ((x1 - x0) * s) / n, y0 + ((y1 - y0) * s) / n, c);
    }
  }

  /** A filled axis-aligned rectangle (integer pixels). */
  rect(x0: number, y0: number, w: number, h: number, c: Rgb): void {
    for (let y = Math.max(0, y0); y < Math.min(this.height, y0 + h); y++)
      for (let x = Math.max(0, x0); x < Math.min(this.width, x0 + w); x++)
        this.pixels.set(c, (y * this.width + x) * 3);
  }

  /** Upper-case 5×7 text with its top-left corner at (x, y). */
  text(x: number, y: number, t: string, c: Rgb, scale = 1): void {
    drawText(
      this.pixels,
      this.width,
      this.height,
      Math.round(x),
      Math.round(y),
      t,
      [c[0], c[1], c[2]],
      scale,
    );
  }

  png(): Uint8Array {
    return encodePng(this.pixels, this.width, this.height);
  }
}

export { GLYPH_H, textWidth };
