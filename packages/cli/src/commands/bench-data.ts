import type { Command } from '../command.ts';

export const benchDataCommand: Command = {
  name: 'bench data',
  summary: 'dataset loader samples/s (2 cameras 96×96, H=16, batch 64, 2 workers) and raw decode fps',
  description:
    'Writes a synthetic 2-camera 96×96 dataset with the streaming writer, then measures sequential decode\n' +
    '(frames/s through the ffmpeg pipe) and the loader (decode + resize + normalize + action chunks).\n' +
    'With --json the last line is {"loader_samples_per_s":…,"decode_fps":…}.',
  options: {
    seconds: { type: 'number', help: 'loader measurement time', default: 15 },
    episodes: { type: 'number', help: 'episodes in the synthetic dataset', default: 30 },
    length: { type: 'number', help: 'frames per episode', default: 100 },
    workers: { type: 'number', help: 'loader worker threads', default: 2 },
    dataset: { type: 'string', help: 'measure this dataset instead of a synthetic one' },
    json: { type: 'boolean', help: 'print the JSON summary as the last line' },
  },
  async run({ options }) {
    const { benchData } = await import('@robofm/data');
    const r = await benchData({
      seconds: Number(options.seconds),
      episodes: Number(options.episodes),
      length: Number(options.length),
      workers: Number(options.workers),
      dataset: options.dataset as string | undefined,
    });
    const d = r.detail;
    if (!options.json) {
      process.stdout.write(
        [
          `dataset   ${d.frames} frames × ${d.cameras} cameras ${d.size}×${d.size}${d.writeSeconds ? ` (written in ${d.writeSeconds.toFixed(1)} s)` : ''}`,
          `decode    ${r.decode_fps} frames/s (${d.decodeFrames} frames, one camera, sequential)`,
          `loader    ${r.loader_samples_per_s} samples/s (batch ${d.batchSize}, H=${d.horizon}, ${d.workers} workers, ${d.batches} batches in ${d.seconds.toFixed(1)} s)`,
          '',
        ].join('\n'),
      );
    }
    process.stdout.write(
      `${JSON.stringify({ loader_samples_per_s: r.loader_samples_per_s, decode_fps: r.decode_fps })}\n`,
    );
    return 0;
  },
};
