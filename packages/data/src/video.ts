import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { RobofmError, ValidationError } from '@robofm/core';

/**
 * Video through Debian's `ffmpeg` binary: RGB frames are piped in and out as raw `rgb24` (never a
 * whole video in memory). Encoding: AV1 (libsvtav1) when the build has it and the frame is at least
 * 64×64 (SVT-AV1's minimum), else H.264 (libx264); always `yuv420p`, GOP 2 so seeks are cheap.
 */
export const FFMPEG = process.env.ROBOFM_FFMPEG ?? 'ffmpeg';
export const FFPROBE = process.env.ROBOFM_FFPROBE ?? 'ffprobe';

let encoderList: string | undefined;
function encoders(): string {
  if (encoderList === undefined) {
    const r = spawnSync(FFMPEG, ['-hide_banner', '-encoders'], { encoding: 'utf8' });
    if (r.error)
      throw new RobofmError(
        'ffmpeg_missing',
        `cannot run '${FFMPEG}' (install Debian's ffmpeg): ${r.error.message}`,
      );
    encoderList = r.stdout;
  }
  return encoderList;
}

export type VideoCodec = 'libsvtav1' | 'libx264';

/** The codec robofm encodes a camera of this size with. */
export function chooseCodec(width: number, height: number, prefer: 'auto' | VideoCodec = 'auto'): VideoCodec {
  if (width % 2 || height % 2)
    throw new ValidationError('camera size', `${width}x${height}`, 'even width and height (yuv420p)');
  if (prefer !== 'auto') return prefer;
  return /\blibsvtav1\b/.test(encoders()) && width >= 64 && height >= 64 ? 'libsvtav1' : 'libx264';
}

/** `video.codec` as LeRobot stores it (the codec's canonical name). */
export function codecName(codec: VideoCodec): string {
  return codec === 'libsvtav1' ? 'av1' : 'h264';
}

function tail(s: string, n = 600): string {
  return s.length > n ? `…${s.slice(-n)}` : s;
}

/**
 * Streams RGB frames into one mp4 file. `write` applies backpressure; `finish` waits for ffmpeg.
 * `scale` > 1 enlarges the output with nearest-neighbour (small sim frames stay crisp in reports).
 */
export class VideoEncoder {
  private readonly proc: ChildProcess;
  private stderr = '';
  private readonly exited: Promise<number | null>;
  private frames = 0;
  private failed: Error | undefined;

  constructor(
    readonly path: string,
    readonly width: number,
    readonly height: number,
    readonly fps: number,
    readonly codec: VideoCodec,
    opts: { scale?: number } = {},
  ) {
    const scale = opts.scale ?? 1;
    if (!(Number.isInteger(scale) && scale >= 1))
      throw new ValidationError('scale', scale, 'an integer >= 1');
    const w = width * scale;
    const h = height * scale;
    const scaleArgs = scale > 1 ? ['-vf', `scale=${w + (w % 2)}:${h + (h % 2)}:flags=neighbor`] : [];
    const codecArgs =
      codec === 'libsvtav1'
        ? ['-c:v', 'libsvtav1', '-preset', '12', '-crf', '30', '-g', '2', '-svtav1-params', 'lp=1']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '2', '-bf', '0'];
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-r',
      String(fps),
      '-i',
      'pipe:0',
      ...scaleArgs,
      ...codecArgs,
      '-pix_fmt',
      'yuv420p',
      '-f',
      'mp4',
      path,
    ];
    this.proc = spawn(FFMPEG, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = tail(this.stderr + d.toString());
    });
    this.proc.stdin?.on('error', (e) => {
      this.failed ??= e;
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('error', (e) => {
        this.failed ??= new RobofmError('ffmpeg_missing', `cannot run '${FFMPEG}': ${e.message}`);
        resolve(null);
      });
      this.proc.on('close', (code) => resolve(code));
    });
  }

  get frameCount(): number {
    return this.frames;
  }

  async write(rgb: Uint8Array): Promise<void> {
    if (this.failed)
      throw new RobofmError(
        'video_encode',
        `${this.path}: encoder failed: ${this.failed.message} ${this.stderr}`,
      );
    if (rgb.length !== this.width * this.height * 3)
      throw new ValidationError(`frame for ${this.path}`, rgb, `${this.height}x${this.width}x3 bytes`);
    this.frames++;
    // Copy: callers (renderers) often reuse their frame buffer.
    if (!this.proc.stdin?.write(Buffer.from(rgb))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.proc.stdin?.off('drain', done);
          this.proc.off('close', done);
          resolve();
        };
        this.proc.stdin?.once('drain', done);
        this.proc.once('close', done);
      });
    }
  }

  async finish(): Promise<void> {
    this.proc.stdin?.end();
    const code = await this.exited;
    if (code !== 0 || this.failed)
      throw new RobofmError(
        'video_encode',
        `ffmpeg failed writing ${this.path} (exit ${code}): ${this.failed?.message ?? ''} ${this.stderr}`,
      );
  }

  abort(): void {
    this.proc.stdin?.destroy();
    this.proc.kill('SIGKILL');
  }
}

export interface VideoProbe {
  codec: string;
  width: number;
  height: number;
  pixFmt: string;
  fps: number;
  duration: number;
  frames: number;
}

/** ffprobe of the first video stream; a clear error for missing or truncated files. */
export function probeVideo(path: string): VideoProbe {
  if (!existsSync(path)) throw new RobofmError('file_missing', `${path}: file not found`);
  const r = spawnSync(
    FFPROBE,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_packets',
      '-show_entries',
      'stream=codec_name,width,height,pix_fmt,r_frame_rate,duration,nb_read_packets:format=duration',
      '-of',
      'json',
      path,
    ],
    { encoding: 'utf8' },
  );
  if (r.error) throw new RobofmError('ffmpeg_missing', `cannot run '${FFPROBE}': ${r.error.message}`);
  let parsed: { streams?: Record<string, string | number>[]; format?: { duration?: string } };
  try {
    parsed = JSON.parse(r.stdout || '{}');
  } catch {
    parsed = {};
  }
  const s = parsed.streams?.[0];
  if (r.status !== 0 || !s)
    throw new RobofmError(
      'video_corrupt',
      `${path}: not a readable mp4 (truncated or corrupt): ${tail(r.stderr.trim(), 300) || 'no video stream'}`,
    );
  const [num, den] = String(s.r_frame_rate ?? '0/1')
    .split('/')
    .map(Number);
  return {
    codec: String(s.codec_name),
    width: Number(s.width),
    height: Number(s.height),
    pixFmt: String(s.pix_fmt),
    fps: den ? num / den : num,
    duration: Number(s.duration ?? parsed.format?.duration ?? 0),
    frames: Number(s.nb_read_packets ?? 0),
  };
}

export interface DecodeOptions {
  /** Time of the first frame to return (seconds from the file start). */
  start: number;
  /** Number of consecutive frames. */
  count: number;
  fps: number;
  /** Size stored in the file. */
  width: number;
  height: number;
  /** Output size (resized by ffmpeg with area averaging); default: stored size. */
  outWidth?: number;
  outHeight?: number;
}

/**
 * Decodes `count` consecutive frames starting at timestamp `start`, frame-accurately (ffmpeg seeks to
 * the keyframe before and decodes forward). Frames stream out of the pipe one at a time: HWC RGB.
 * Throws if the file ends early (truncated mp4).
 */
export async function* decodeFrames(path: string, o: DecodeOptions): AsyncGenerator<Uint8Array> {
  if (!existsSync(path)) throw new RobofmError('file_missing', `${path}: video file not found`);
  if (!(o.count > 0)) return;
  const w = o.outWidth ?? o.width;
  const h = o.outHeight ?? o.height;
  const frameBytes = w * h * 3;
  // Seek a quarter frame early so rounding never skips the wanted frame.
  const seek = Math.max(0, o.start - 0.25 / o.fps);
  const vf = w !== o.width || h !== o.height ? ['-vf', `scale=${w}:${h}:flags=area`] : [];
  const proc = spawn(
    FFMPEG,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-threads',
      '1',
      '-ss',
      seek.toFixed(6),
      '-i',
      path,
      '-frames:v',
      String(o.count),
      '-fps_mode',
      'passthrough',
      ...vf,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr = tail(stderr + d.toString());
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('error', () => resolve(null));
    proc.on('close', (code) => resolve(code));
  });
  let produced = 0;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        frame.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          produced++;
          yield frame;
          frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    }
    const code = await exited;
    if (code !== 0)
      throw new RobofmError(
        'video_corrupt',
        `${path}: ffmpeg could not decode at t=${o.start.toFixed(4)}s (exit ${code}; truncated or corrupt mp4?): ${stderr.trim()}`,
      );
    if (produced < o.count)
      throw new RobofmError(
        'video_truncated',
        `${path}: expected ${o.count} frames from t=${o.start.toFixed(4)}s, the file ended after ${produced} (truncated mp4?)`,
      );
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

/** Decodes frames into one buffer [count, H, W, 3] (for callers that want them all). */
export async function decodeFramesInto(path: string, o: DecodeOptions): Promise<Uint8Array> {
  const w = o.outWidth ?? o.width;
  const h = o.outHeight ?? o.height;
  const out = new Uint8Array(o.count * w * h * 3);
  let i = 0;
  for await (const f of decodeFrames(path, o)) out.set(f, i++ * f.length);
  return out;
}

/**
 * Appends mp4 files (same codec/size/fps) into `out` without re-encoding (ffmpeg concat demuxer,
 * stream copy). Timestamps continue: file k starts at the summed durations of files before it.
 */
export async function concatVideos(inputs: string[], out: string, listPath: string): Promise<void> {
  writeFileSync(listPath, inputs.map((p) => `file '${p.replace(/'/g, "'\\''")}'`).join('\n'));
  const proc = spawn(
    FFMPEG,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      listPath,
      '-c',
      'copy',
      '-f',
      'mp4',
      out,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr = tail(stderr + d.toString());
  });
  const code = await new Promise<number | null>((resolve) => {
    proc.on('error', () => resolve(null));
    proc.on('close', (c) => resolve(c));
  });
  if (code !== 0 || !existsSync(out) || statSync(out).size === 0)
    throw new RobofmError(
      'video_concat',
      `ffmpeg could not append ${inputs.join(', ')} into ${out}: ${stderr}`,
    );
}
