import { describe, expect, it } from 'vitest';
import { Canvas, textWidth } from './canvas.ts';

describe('Canvas', () => {
  it('draws lines, dashes, rectangles and text, clipped to the image, and encodes a PNG', () => {
    const cv = new Canvas(20, 10, [255, 255, 255]);
    const at = (x: number, y: number) =>
      Array.from(cv.pixels.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3));
    cv.line(0, 0, 19, 0, [1, 2, 3]);
    expect(at(0, 0)).toEqual([1, 2, 3]);
    expect(at(19, 0)).toEqual([1, 2, 3]);
    cv.line(0, 2, 19, 2, [9, 9, 9], 2); // on, on, off, off, …
    expect([at(0, 2), at(1, 2), at(2, 2), at(3, 2)].map((p) => p[0])).toEqual([9, 9, 255, 255]);
    cv.rect(15, 5, 10, 10, [0, 0, 0]); // runs off the image: clipped, no throw
    expect(at(19, 9)).toEqual([0, 0, 0]);
    expect(at(14, 9)).toEqual([255, 255, 255]);
    cv.set(-1, 50, [0, 0, 0]);
    const before = cv.pixels.filter((v) => v === 7).length;
    cv.text(1, 3, 'A', [7, 7, 7]);
    expect(cv.pixels.filter((v) => v === 7).length).toBeGreaterThan(before);
    expect(textWidth('AB', 2)).toBe(24);
    const png = cv.png();
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
  });
});
