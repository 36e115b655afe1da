import { RobofmError } from '@robofm/core';
import { VideoEncoder } from '@robofm/data';

/**
 * Encodes RGB frames (HWC uint8, all `width`×`height`) as an H.264 mp4 with Debian's ffmpeg
 * (through data's `VideoEncoder`), enlarged `scale`× with nearest-neighbour so small sim frames
 * stay crisp.
 */
export async function writeMp4(
  path: string,
  frames: Uint8Array[],
  width: number,
  height: number,
  fps: number,
  scale = 3,
): Promise<void> {
  if (frames.length === 0) throw new RobofmError('video_empty', `writeMp4(${path}): no frames`);
  const enc = new VideoEncoder(path, width, height, fps, 'libx264', { scale });
  try {
    for (const f of frames) await enc.write(f);
    await enc.finish();
  } catch (e) {
    enc.abort();
    throw e;
  }
}

/** Puts camera images side by side (all the same height) into one frame. */
export function tileFrames(
  images: Uint8Array[],
  widths: number[],
  height: number,
): { frame: Uint8Array; width: number } {
  const width = widths.reduce((a, b) => a + b, 0);
  const frame = new Uint8Array(width * height * 3);
  let x0 = 0;
  images.forEach((img, k) => {
    const w = widths[k];
    for (let y = 0; y < height; y++)
      frame.set(img.subarray(y * w * 3, (y + 1) * w * 3), (y * width + x0) * 3);
    x0 += w;
  });
  return { frame, width };
}
