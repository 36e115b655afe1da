import { spawn } from 'node:child_process';
import { RobofmError } from '@robofm/core';

/**
 * Encodes RGB frames (HWC uint8, all `width`×`height`) as an H.264 mp4 with Debian's ffmpeg,
 * enlarged `scale`× with nearest-neighbour so small sim frames stay crisp.
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
  const w = width * scale;
  const h = height * scale;
  const args = [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    '-r',
    String(fps),
    '-i',
    '-',
    '-vf',
    `scale=${w + (w % 2)}:${h + (h % 2)}:flags=neighbor`,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    path,
  ];
  await new Promise<void>((resolve, reject) => {
    const p = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) =>
      reject(
        new RobofmError('ffmpeg_missing', `cannot run ffmpeg (apt-get install ffmpeg): ${e.message}`, {
          cause: e,
        }),
      ),
    );
    p.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new RobofmError('ffmpeg_failed', `ffmpeg exited with ${code}: ${err.trim()}`)),
    );
    p.stdin.on('error', () => {});
    for (const f of frames) p.stdin.write(f);
    p.stdin.end();
  });
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
