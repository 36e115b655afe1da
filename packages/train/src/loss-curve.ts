import { Canvas } from '@robofm/core';

/**
 * A PNG line plot (white background, light grid, blue raw loss, dark smoothed loss) of `ys`
 * against `xs`, log-scaled in y when every value is positive.
 */
export function lossCurvePng(xs: number[], ys: number[], width = 640, height = 360): Uint8Array {
  const cv = new Canvas(width, height);
  const m = 30;
  const grid = [225, 225, 225] as const;
  for (let k = 0; k <= 4; k++) {
    const y = Math.round(m + ((height - 2 * m) * k) / 4);
    cv.line(m, y, width - m - 1, y, grid);
    const x = Math.round(m + ((width - 2 * m) * k) / 4);
    cv.line(x, m, x, height - m - 1, grid);
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
    for (let i = 1; i < xs.length; i++)
      cv.line(X(xs[i - 1]), Y(ys[i - 1]), X(xs[i]), Y(ys[i]), [150, 180, 240]);
    let ema = ys[0];
    let prev = [X(xs[0]), Y(ema)];
    for (let i = 1; i < xs.length; i++) {
      ema = 0.9 * ema + 0.1 * ys[i];
      const cur = [X(xs[i]), Y(ema)];
      cv.line(prev[0], prev[1], cur[0], cur[1], [20, 40, 120]);
      prev = cur;
    }
  }
  return cv.png();
}
