import type { Command } from '../command.ts';

export const dataViewCommand: Command = {
  name: 'data view',
  summary: 'picture of an episode: frame strip per camera, state/action curves, an HTML page',
  positionals: [{ name: 'dir', help: 'dataset directory', required: true }],
  options: {
    episode: { type: 'number', help: 'episode index', default: 0 },
    out: { type: 'string', help: 'output folder (default <dir>/../<name>_view)' },
    frames: { type: 'number', help: 'frames per camera strip', default: 8 },
  },
  examples: ['robofm data view ./datasets/pick_cube --episode 3 --out /tmp/view'],
  async run({ positionals, options }) {
    const { viewEpisode } = await import('@robofm/data');
    const dir = positionals[0].replace(/\/+$/, '');
    const out = (options.out as string | undefined) ?? `${dir}_view`;
    const r = await viewEpisode(dir, Number(options.episode), out, { frames: Number(options.frames) });
    for (const p of r.images) process.stdout.write(`wrote ${p}\n`);
    process.stdout.write(`open ${r.html}\n`);
    return 0;
  },
};
