import { Canvas, GLYPH_H, type Rgb, textWidth } from '@robofm/core';

export interface Bar {
  label: string;
  value: number;
  /** Optional error bar [lo, hi] in value units. */
  interval?: [number, number];
}

export interface BarChartOptions {
  title: string;
  /** Axis maximum (default: largest value or interval end). */
  max?: number;
  /** Format of the value printed at the end of each bar. */
  format?: (v: number) => string;
  width?: number;
  /** A vertical reference line (e.g. the 95 % target). */
  reference?: number;
}

const INK: Rgb = [30, 30, 30];
const BAR: Rgb = [70, 120, 200];
const BAD: Rgb = [210, 90, 60];
const REF: Rgb = [40, 160, 60];

/** A horizontal bar chart as a PNG (one row per bar, label on the left, value on the right). */
export function barChartPng(bars: Bar[], opts: BarChartOptions): Uint8Array {
  const scale = 2;
  const rowH = 26;
  const labelW = Math.max(80, ...bars.map((b) => textWidth(b.label, scale))) + 12;
  const width = opts.width ?? Math.max(560, labelW + 420);
  const top = 40;
  const height = top + Math.max(1, bars.length) * rowH + 20;
  const cv = new Canvas(width, height);
  const fmt = opts.format ?? ((v: number) => v.toFixed(2));
  const max =
    opts.max ??
    Math.max(1e-9, ...bars.map((b) => Math.max(b.value, b.interval?.[1] ?? 0)), opts.reference ?? 0);
  const plotX = labelW;
  const plotW = width - labelW - 110;
  const rect = (x0: number, y0: number, w: number, h: number, c: Rgb) => cv.rect(x0, y0, w, h, c);
  cv.text(8, 10, opts.title, INK, scale);
  rect(plotX, top - 4, 1, bars.length * rowH + 4, INK);
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    cv.text(6, y + (rowH - GLYPH_H * scale) / 2, b.label, INK, scale);
    const w = Math.round((Math.max(0, Math.min(b.value, max)) / max) * plotW);
    const bad = opts.reference !== undefined && b.value < opts.reference;
    rect(plotX + 1, y + 4, w, rowH - 8, bad ? BAD : BAR);
    if (b.interval) {
      const x0 = plotX + Math.round((Math.min(max, b.interval[0]) / max) * plotW);
      const x1 = plotX + Math.round((Math.min(max, b.interval[1]) / max) * plotW);
      const cy = y + Math.floor(rowH / 2);
      rect(x0, cy, Math.max(1, x1 - x0), 2, INK);
      rect(x0, cy - 5, 2, 12, INK);
      rect(x1 - 1, cy - 5, 2, 12, INK);
    }
    cv.text(plotX + plotW + 10, y + (rowH - GLYPH_H * scale) / 2, fmt(b.value), INK, scale);
  });
  if (opts.reference !== undefined) {
    const x = plotX + Math.round((opts.reference / max) * plotW);
    for (let y = top - 4; y < top + bars.length * rowH; y += 6) rect(x, y, 2, 3, REF);
  }
  return cv.png();
}
