import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '@robofm/core';
import { LeRobotDataset } from './dataset.ts';
import { flatNames } from './features.ts';

export interface ViewOptions {
  /** Frames per camera strip (evenly spaced over the episode). */
  frames?: number;
  /** Height of each thumbnail in the strip (width follows the aspect ratio). */
  thumbHeight?: number;
  plotWidth?: number;
  plotHeight?: number;
}

export interface ViewResult {
  html: string;
  images: string[];
}

export const PALETTE: [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/** An RGB canvas with line drawing, enough for curves. */
export class Canvas {
  readonly px: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    bg = 255,
  ) {
    this.px = new Uint8Array(width * height * 3).fill(bg);
  }
  set(x: number, y: number, c: [number, number, number]): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const p = (Math.floor(y) * this.width + Math.floor(x)) * 3;
    this.px[p] = c[0];
    this.px[p + 1] = c[1];
    this.px[p + 2] = c[2];
  }
  line(x0: number, y0: number, x1: number, y1: number, c: [number, number, number]): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= n; i++) {
      const x = x0 + ((x1 - x0) * i) / n;
      const y = y0 + ((y1 - y0) * i) / n;
      this.set(x, y, c);
      this.set(x, y + 1, c);
    }
  }
  blit(src: Uint8Array, w: number, h: number, ox: number, oy: number): void {
    for (let y = 0; y < h; y++)
      this.px.set(src.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * this.width + ox) * 3);
  }
}

/** Plots rows of `dim` values over time (x) into a canvas, one colour per dimension. */
export function plotCurves(values: ArrayLike<number>, dim: number, width: number, height: number): Canvas {
  const cv = new Canvas(width, height);
  const rows = values.length / dim;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  if (!(hi > lo)) {
    hi = lo + 1;
    lo -= 1;
  }
  const m = 8;
  const grey: [number, number, number] = [200, 200, 200];
  cv.line(m, m, m, height - m, grey);
  cv.line(m, height - m, width - m, height - m, grey);
  if (lo < 0 && hi > 0) {
    const y0 = height - m - ((0 - lo) / (hi - lo)) * (height - 2 * m);
    cv.line(m, y0, width - m, y0, [230, 230, 230]);
  }
  const X = (t: number) => m + (rows > 1 ? t / (rows - 1) : 0) * (width - 2 * m);
  const Y = (v: number) => height - m - ((v - lo) / (hi - lo)) * (height - 2 * m);
  for (let j = 0; j < dim; j++) {
    const c = PALETTE[j % PALETTE.length];
    for (let t = 1; t < rows; t++)
      cv.line(X(t - 1), Y(values[(t - 1) * dim + j]), X(t), Y(values[t * dim + j]), c);
  }
  return cv;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/**
 * Writes a picture of one episode into `outDir`: a strip of frames per camera, state and action
 * curves, and an `index.html` that shows them with the episode's metadata and a colour legend.
 */
export async function viewEpisode(
  root: string,
  episode: number,
  outDir: string,
  opts: ViewOptions = {},
): Promise<ViewResult> {
  const ds = await LeRobotDataset.open(root);
  const e = ds.episode(episode);
  mkdirSync(outDir, { recursive: true });
  const name = `episode_${String(episode).padStart(6, '0')}`;
  const images: string[] = [];
  const n = Math.max(1, Math.min(opts.frames ?? 8, e.length));
  const picks = Array.from({ length: n }, (_, i) => Math.round((i * (e.length - 1)) / Math.max(1, n - 1)));
  const th = opts.thumbHeight ?? 96;
  const sections: string[] = [];
  for (const key of ds.videoKeys) {
    const [h, w] = ds.features[key].shape;
    const tw = Math.max(2, Math.round(((w / h) * th) / 2) * 2);
    const strip = new Canvas(n * tw + (n - 1) * 2, th, 255);
    for (const [i, t] of picks.entries()) {
      const fr = await ds.frame(key, episode, t, { width: tw, height: th });
      strip.blit(fr, tw, th, i * (tw + 2), 0);
    }
    const file = `${name}_${key}.png`;
    writeFileSync(join(outDir, file), encodePng(strip.px, strip.width, strip.height));
    images.push(join(outDir, file));
    sections.push(
      `<h3>${esc(key)}</h3><img src="${esc(file)}" alt="${esc(key)}"><p class="t">frames ${picks.join(', ')}</p>`,
    );
  }
  const d = await ds.readEpisode(episode);
  const pw = opts.plotWidth ?? 800;
  const ph = opts.plotHeight ?? 220;
  for (const key of ['observation.state', 'action']) {
    const f = ds.features[key];
    if (!f) continue;
    const dim = f.shape[0];
    const cv = plotCurves(d.columns[key] as Float32Array, dim, pw, ph);
    const file = `${name}_${key}.png`;
    writeFileSync(join(outDir, file), encodePng(cv.px, cv.width, cv.height));
    images.push(join(outDir, file));
    const names = flatNames(f) ?? Array.from({ length: dim }, (_, j) => `${key}[${j}]`);
    const legend = names
      .map((nm, j) => `<span style="color:rgb(${PALETTE[j % PALETTE.length].join(',')})">■ ${esc(nm)}</span>`)
      .join(' ');
    sections.push(`<h3>${esc(key)}</h3><img src="${esc(file)}" alt="${esc(key)} curves"><p>${legend}</p>`);
  }
  const subtasks = d.columns.subtask as string[] | undefined;
  const segments: string[] = [];
  if (subtasks) {
    let s = 0;
    for (let t = 1; t <= subtasks.length; t++) {
      if (t === subtasks.length || subtasks[t] !== subtasks[s]) {
        segments.push(`<li>${s}–${t - 1}: ${esc(subtasks[s])}</li>`);
        s = t;
      }
    }
  }
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(ds.root)} · episode ${episode}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}img{image-rendering:pixelated;border:1px solid #ddd;max-width:100%}.t{color:#777;font-size:12px}td{padding:2px 10px}</style></head>
<body><h1>Episode ${episode}</h1>
<table><tr><td>dataset</td><td>${esc(ds.root)}</td></tr><tr><td>robot_type</td><td>${esc(String(ds.info.robot_type))}</td></tr>
<tr><td>tasks</td><td>${e.tasks.map(esc).join('<br>')}</td></tr><tr><td>length</td><td>${e.length} frames (${(e.length / ds.fps).toFixed(2)} s at ${ds.fps} fps)</td></tr>
<tr><td>index</td><td>${e.dataset_from_index}–${e.dataset_to_index - 1}</td></tr></table>
${segments.length ? `<h3>subtasks</h3><ul>${segments.join('')}</ul>` : ''}
${sections.join('\n')}
</body></html>
`;
  const htmlPath = join(outDir, `${name}.html`);
  writeFileSync(htmlPath, html);
  return { html: htmlPath, images };
}
