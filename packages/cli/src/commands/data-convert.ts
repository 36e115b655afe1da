import { ProgressBar } from '@robofm/core';
import type { Command } from '../command.ts';

export const dataConvertCommand: Command = {
  name: 'data convert',
  summary: 'convert a LeRobot v2.1 dataset to v3.0 (the source is never modified)',
  description:
    'Concatenates per-episode parquet and mp4 files into size-capped v3.0 files (videos stream-copied,\n' +
    'no re-encoding), writes meta/episodes with data/video indexes and per-episode stats (quantiles\n' +
    'recomputed), meta/tasks.parquet and meta/stats.json. Output: --out (default <dir>_v30).',
  positionals: [{ name: 'dir', help: 'v2.1 dataset directory', required: true }],
  options: {
    out: { type: 'string', help: 'output directory (must not exist or be empty)' },
    'data-mb': { type: 'number', help: 'max data parquet file size (MB)', default: 100 },
    'video-mb': { type: 'number', help: 'max mp4 file size (MB)', default: 200 },
  },
  examples: ['robofm data convert ./old_dataset --out ./new_dataset'],
  async run({ positionals, options }) {
    const { convertV21ToV30 } = await import('@robofm/data');
    const src = positionals[0].replace(/\/+$/, '');
    const out = (options.out as string | undefined) ?? `${src}_v30`;
    let bar: ProgressBar | undefined;
    const r = await convertV21ToV30(src, out, {
      dataFilesSizeInMb: Number(options['data-mb']),
      videoFilesSizeInMb: Number(options['video-mb']),
      onEpisode: (_done, total) => {
        bar ??= new ProgressBar({ total, label: 'convert', unit: 'ep' });
        bar.tick();
      },
    });
    process.stdout.write(`converted ${r.episodes} episodes (${r.frames} frames) → ${out}\n`);
    return 0;
  },
};
