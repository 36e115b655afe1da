import type { Command } from '../command.ts';

export const dataInfoCommand: Command = {
  name: 'data info',
  summary: 'summary of a LeRobot dataset (v3.0 or v2.1): features, episodes, tasks, files',
  positionals: [{ name: 'dir', help: 'dataset directory', required: true }],
  options: { json: { type: 'boolean', help: 'print the summary as JSON (last line)' } },
  examples: ['robofm data info ./datasets/pick_cube'],
  async run({ positionals, options }) {
    const { LeRobotDataset } = await import('@robofm/data');
    const ds = await LeRobotDataset.open(positionals[0]);
    const lengths = ds.episodes.map((e) => e.length);
    const summary = {
      root: ds.root,
      codebase_version: ds.version,
      robot_type: ds.info.robot_type,
      fps: ds.fps,
      total_episodes: ds.episodes.length,
      total_frames: ds.numFrames,
      total_tasks: ds.tasks.length,
      episode_length: lengths.length
        ? {
            min: Math.min(...lengths),
            max: Math.max(...lengths),
            mean: +(ds.numFrames / lengths.length).toFixed(1),
          }
        : null,
      features: Object.fromEntries(
        Object.entries(ds.features).map(([k, f]) => [
          k,
          `${f.dtype}[${f.shape.join(',')}]${f.info ? ` ${f.info['video.codec']} ${f.info['video.pix_fmt']}` : ''}`,
        ]),
      ),
      tasks: ds.tasks,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return 0;
    }
    const lines = [
      `dataset      ${summary.root}`,
      `version      ${summary.codebase_version}   robot_type ${summary.robot_type}   fps ${summary.fps}`,
      `episodes     ${summary.total_episodes}   frames ${summary.total_frames} (${(summary.total_frames / summary.fps).toFixed(1)} s)` +
        (summary.episode_length
          ? `   length min/mean/max ${summary.episode_length.min}/${summary.episode_length.mean}/${summary.episode_length.max}`
          : ''),
      `tasks        ${summary.total_tasks}`,
      ...ds.tasks.slice(0, 10).map((t, i) => `  [${i}] ${t}`),
      ...(ds.tasks.length > 10 ? [`  … ${ds.tasks.length - 10} more`] : []),
      'features',
      ...Object.entries(summary.features).map(([k, v]) => `  ${k.padEnd(32)} ${v}`),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return 0;
  },
};
