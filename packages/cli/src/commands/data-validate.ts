import { ProgressBar } from '@robofm/core';
import type { Command } from '../command.ts';

export const dataValidateCommand: Command = {
  name: 'data validate',
  summary: 'check every file of a LeRobot dataset against the spec; exit 1 on any error',
  description:
    'Checks meta/info.json fields, tasks, episodes metadata (indexes, video timestamps, stats), every data\n' +
    'parquet (columns, row counts, frame/episode/index bookkeeping, increasing timestamps, shapes) and every\n' +
    'mp4 (readable, codec/size as declared, long enough). Each problem names the file and the field.\n' +
    'Never modifies the dataset. With --json the last line is {"valid":…,"errors":…,"warnings":…,"problems":[…]}.',
  positionals: [{ name: 'dir', help: 'dataset directory', required: true }],
  options: {
    'skip-videos': { type: 'boolean', help: 'do not probe the mp4 files' },
    json: { type: 'boolean', help: 'print the result as JSON (last line)' },
  },
  examples: ['robofm data validate ./datasets/pick_cube'],
  async run({ positionals, options }) {
    const { validateDataset, formatProblem } = await import('@robofm/data');
    let bar: ProgressBar | undefined;
    const problems = await validateDataset(positionals[0], {
      videos: !options['skip-videos'],
      onProgress: (done, total) => {
        bar ??= new ProgressBar({ total, label: 'validate', unit: 'file' });
        if (done > bar.count) bar.tick(done - bar.count);
      },
    });
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ valid: errors === 0, errors, warnings, problems })}\n`);
    } else {
      for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
      process.stdout.write(
        errors === 0
          ? `valid: ${positionals[0]} (${warnings} warning${warnings === 1 ? '' : 's'})\n`
          : `invalid: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
      );
    }
    return errors === 0 ? 0 : 1;
  },
};
