import { ProgressBar } from '@robofm/core';
import type { Command } from '../command.ts';

export const dataStatsCommand: Command = {
  name: 'data stats',
  summary: 'recompute feature statistics (mean/std/min/max/quantiles), globally and per embodiment',
  description:
    'Streams every episode once; quantiles (q01 q10 q50 q90 q99) come from adaptive histograms, so memory\n' +
    'stays bounded. --write replaces meta/stats.json (LeRobot layout) and writes meta/stats_by_embodiment.json.\n' +
    'With --json the last line is {"global":{…},"by_embodiment":{…}}.',
  positionals: [{ name: 'dir', help: 'dataset directory', required: true }],
  options: {
    write: { type: 'boolean', help: 'write meta/stats.json and meta/stats_by_embodiment.json' },
    images: { type: 'boolean', help: 'also recompute per-channel image stats (decodes every frame)' },
    json: { type: 'boolean', help: 'print the stats as JSON (last line)' },
  },
  examples: ['robofm data stats ./datasets/pick_cube --write'],
  async run({ positionals, options }) {
    const { computeStats, writeStats } = await import('@robofm/data');
    let bar: ProgressBar | undefined;
    const stats = await computeStats(positionals[0], {
      images: Boolean(options.images),
      onEpisode: (_done, total) => {
        bar ??= new ProgressBar({ total, label: 'stats', unit: 'ep' });
        bar.tick();
      },
    });
    if (options.write) await writeStats(positionals[0], stats);
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ global: stats.global, by_embodiment: stats.byEmbodiment })}\n`,
      );
      return 0;
    }
    const fmt = (a: number[] | undefined) =>
      a
        ? `[${a
            .slice(0, 6)
            .map((v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)))
            .join(', ')}${a.length > 6 ? ', …' : ''}]`
        : '-';
    const print = (title: string, s: typeof stats.global) => {
      process.stdout.write(`${title}\n`);
      for (const [k, v] of Object.entries(s)) {
        process.stdout.write(`  ${k}  count ${v.count?.[0]}\n`);
        for (const stat of ['mean', 'std', 'min', 'q01', 'q50', 'q99', 'max'] as const)
          process.stdout.write(`    ${stat.padEnd(5)} ${fmt(v[stat])}\n`);
      }
    };
    print('all frames', stats.global);
    for (const [emb, s] of Object.entries(stats.byEmbodiment)) print(`embodiment ${emb}`, s);
    if (options.write)
      process.stdout.write(`wrote ${positionals[0]}/meta/stats.json and meta/stats_by_embodiment.json\n`);
    return 0;
  },
};
