import { ValidationError } from '@robofm/core';
import type { Command } from '../command.ts';
import { HELDOUT_OPTIONS } from './eval.ts';

/** `robofm eval curve`: success vs training minutes over the checkpoints of one or more runs. */
export const evalCurveCommand: Command = {
  name: 'eval curve',
  summary: 'learning curve: evaluate every checkpoint of training runs on the same held-out scenes',
  description: [
    'For each --run directory (comma-separated to compare runs, e.g. flow and token), evaluates every',
    'step-* checkpoint on the same held-out scenes and writes <out>/curve.json and <out>/curve.png',
    '(success with Wilson 95% whiskers against the training minutes at which each checkpoint was',
    "written, from the run's metrics.jsonl; dashed line at the 70% target). Per-checkpoint reports land",
    'in <out>/<run>/step-N/; a checkpoint already evaluated on the same suite and first seed with at',
    'least --episodes episodes is reused (evaluate the last checkpoint on more scenes first, then the rest).',
    'With --json the last stdout line is {"series":[{"name","points":[{"step","minutes","episodes","success","ci95"}]}]}.',
  ].join('\n'),
  options: {
    run: { type: 'string', help: 'training run directory (comma-separated list ok)' },
    suite: { type: 'string', help: 'task/embodiment to evaluate', default: 'pick_place/arm6' },
    episodes: { type: 'number', help: 'held-out episodes per checkpoint', default: 50 },
    steps: { type: 'string', help: 'only these checkpoint steps (comma-separated)' },
    ...HELDOUT_OPTIONS,
    out: { type: 'string', help: 'output directory', default: '.robofm/curve' },
    json: { type: 'boolean', help: 'print the curves as JSON on the last stdout line' },
  },
  examples: [
    'robofm eval curve --run .robofm/runs/demo --episodes 50',
    'robofm eval curve --run runs/flow,runs/token --steps 2000,6000 --out runs/curve',
  ],
  async run({ options }) {
    if (!options.run) throw new ValidationError('--run', options.run, 'a training run directory');
    const steps =
      options.steps === undefined
        ? undefined
        : String(options.steps)
            .split(',')
            .map((s) => {
              const n = Number(s);
              if (!Number.isInteger(n) || n < 0)
                throw new ValidationError('--steps', s, 'comma-separated step numbers');
              return n;
            });
    const { learningCurve } = await import('@robofm/eval');
    const out = String(options.out);
    const series = await learningCurve({
      runs: String(options.run).split(','),
      suite: String(options.suite),
      episodes: Number(options.episodes),
      workers: Number(options.workers),
      seedStart: Number(options['seed-start']),
      edgeCases: options['edge-cases'],
      steps,
      outDir: out,
      onPoint: (name, p) =>
        process.stderr.write(
          `${name.padEnd(12)} step ${String(p.step).padStart(6)}  ${p.minutes.toFixed(1).padStart(5)} min  ${String(p.successes).padStart(3)}/${p.episodes}  ${(p.success * 100).toFixed(1).padStart(5)}%  [${(p.ci95[0] * 100).toFixed(1)}, ${(p.ci95[1] * 100).toFixed(1)}]\n`,
        ),
    });
    process.stderr.write(`curve written to ${out}/curve.png and ${out}/curve.json\n`);
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ series: series.map((s) => ({ name: s.name, points: s.points })) })}\n`,
      );
    return 0;
  },
};
