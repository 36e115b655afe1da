import { encodePng } from '@robofm/core';

/**
 * A PNG line plot (white background, light grid, blue raw loss, dark smoothed loss) of `ys`
 * against `xs`, log-scaled in y when every value is positive.
 */
export function lossCurvePng(xs: number[], ys: number[], width = 640, height = 360): Uint8Array {
  const px = new Uint8Array(width * height * 3).fill(255);
  const set = (x: number, y: number, r: number, g: number, b: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 3;
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  };
  const m = 30;
  for (let k = 0; k <= 4; k++) {
    const y = m + ((height - 2 * m) * k) / 4;
    for (let x = m; x < width - m; x++) set(x, y, 225, 225, 225);
    const x = m + ((width - 2 * m) * k) / 4;
    for (let yy = m; yy < height - m; yy++) set(x, yy, 225, 225, 225);
  }
  if (xs.length >= 2) {
    const log = ys.every((v) => v > 0);
    const f = (v: number) => (log ? Math.log10(v) : v);
    const fy = ys.map(f).filter(Number.isFinite);
    const y0 = Math.min(...fy);
    const y1 = Math.max(...fy);
    const x0 = xs[0];
    const x1 = xs[xs.length - 1];
    const X = (x: number) => m + ((x - x0) / Math.max(1e-12, x1 - x0)) * (width - 2 * m);
    const Y = (v: number) => height - m - ((f(v) - y0) / Math.max(1e-12, y1 - y0)) * (height - 2 * m);
    const line = (a: [number, number], b: [number, number], c: [number, number, number]) => {
      const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1])));
      for (let s = 0; s <= n; s++) set(a[0] + ((b[0] - a[0]) * s) / n, a[1] + ((b[1] - a[1]) * s) / n, ...c);
    };
    for (let i = 1; i < xs.length; i++)
      line([X(xs[i - 1]), Y(ys[i - 1])], [X(xs[i]), Y(ys[i])], [150, 180, 240]);
    let ema = ys[0];
    let prev: [number, number] = [X(xs[0]), Y(ema)];
    for (let i = 1; i < xs.length; i++) {
      ema = 0.9 * ema + 0.1 * ys[i];
      const cur: [number, number] = [X(xs[i]), Y(ema)];
      line(prev, cur, [20, 40, 120]);
      prev = cur;
    }
  }
  return encodePng(px, width, height);
}
