import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeVideo } from '@robofm/data';
import { describe, expect, it } from 'vitest';
import { tileFrames, writeMp4 } from './video.ts';

describe('failure videos', () => {
  it('writeMp4 enlarges frames nearest-neighbour into an even-sized H.264 mp4', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'robofm-mp4-')), 'x.mp4');
    const frames = [0, 80, 160].map((v) => new Uint8Array(7 * 5 * 3).fill(v));
    await writeMp4(path, frames, 7, 5, 10, 3);
    const p = probeVideo(path);
    expect([p.width, p.height]).toEqual([22, 16]); // 21×15 rounded up to even
    expect(p.frames).toBe(3);
    await expect(writeMp4(path, [], 7, 5, 10)).rejects.toThrow(/no frames/);
  });
  it('tileFrames puts cameras side by side', () => {
    const a = new Uint8Array(2 * 2 * 3).fill(1);
    const b = new Uint8Array(2 * 3 * 3).fill(2);
    const t = tileFrames([a, b], [2, 3], 2);
    expect(t.width).toBe(5);
    expect(t.frame.length).toBe(5 * 2 * 3);
    expect(t.frame[3 * 2]).toBe(2); // row 0, column 2 is b's first pixel
  });
});
