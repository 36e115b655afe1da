import { logger } from '@robofm/core';
import { type Command, type OptionSpec, writeResult } from '../command.ts';

/** The instruction paraphrase set (held-out by default, as in evaluation). */
export const PARAPHRASES_OPTION = {
  type: 'string',
  help: 'instruction paraphrase set',
  default: 'heldout',
  choices: ['heldout', 'train'],
} as const;

/** Options every held-out evaluation takes (`eval`, `eval curve`). */
export const HELDOUT_OPTIONS: Record<string, OptionSpec> = {
  'seed-start': { type: 'number', help: 'first held-out scene index', default: 0 },
  workers: { type: 'number', help: 'worker threads (0 = in this thread)', default: 2 },
  'edge-cases': {
    type: 'string',
    help: 'edge-case injection',
    default: 'default',
    choices: ['default', 'off'],
  },
};

/** `robofm eval`: success rates of a policy on held-out scenes of the task suite. */
export const evalCommand: Command = {
  name: 'eval',
  summary:
    'evaluate a policy on held-out scenes of the task suite (Wilson 95% CI, HTML/JSON report, failure videos)',
  description: [
    'Runs N episodes per task x embodiment on held-out scene seeds (from --seed-start) in parallel',
    'worker threads and reports per suite: success rate with a Wilson 95% interval, mean time to',
    'success, failure reasons and an edge-case breakdown. --out writes report.json, report.html,',
    'PNG plots and mp4 videos of a sample of failures. --policy expert runs the privileged scripted',
    'experts; demo / a checkpoint directory load @robofm/policy; ws://host:port talks to a server.',
    'With --json the last stdout line is {"suites":{"task/emb":{"episodes","success","ci95"}},"overall":...}.',
  ].join('\n'),
  options: {
    policy: { type: 'string', help: 'expert | demo | checkpoint dir | ws://host:port', default: 'expert' },
    suite: { type: 'string', help: 'all | task | task/embodiment (comma-separated list ok)', default: 'all' },
    episodes: { type: 'number', help: 'episodes per task x embodiment', default: 20 },
    ...HELDOUT_OPTIONS,
    paraphrases: PARAPHRASES_OPTION,
    videos: { type: 'number', help: 'max failure videos written under --out', default: 6 },
    'max-steps': { type: 'number', help: 'episode length override (control steps)' },
    out: { type: 'string', help: 'write report.json, report.html, plots and videos here' },
    json: { type: 'boolean', help: 'print the JSON summary as the last stdout line' },
  },
  examples: [
    'robofm eval --policy expert --suite all --episodes 20',
    'robofm eval --policy demo --suite pick_place/arm6 --episodes 50 --workers 2 --json --out runs/eval',
    'robofm eval --policy ws://localhost:8000 --suite handover --episodes 10',
  ],
  async run({ options }) {
    const { runEval, jsonSummary, formatStages } = await import('@robofm/eval');
    const report = await runEval({
      policy: String(options.policy),
      suite: String(options.suite),
      episodes: Number(options.episodes),
      seedStart: Number(options['seed-start']),
      workers: Number(options.workers),
      edgeCases: options['edge-cases'],
      paraphrases: options.paraphrases as 'heldout' | 'train',
      videos: Number(options.videos),
      maxSteps: options['max-steps'] === undefined ? undefined : Number(options['max-steps']),
      outDir: options.out === undefined ? undefined : String(options.out),
    });
    const lines = Object.entries(report.suites).map(
      ([k, s]) =>
        `${k.padEnd(26)} ${String(s.successes).padStart(4)}/${String(s.episodes).padEnd(4)} ${(s.success * 100).toFixed(1).padStart(6)}%  [${(s.ci95[0] * 100).toFixed(1)}, ${(s.ci95[1] * 100).toFixed(1)}]  t=${s.meanTimeToSuccess === null ? '-' : `${s.meanTimeToSuccess.toFixed(1)}s`}${
          Object.keys(s.failureReasons).length
            ? `  fail: ${Object.entries(s.failureReasons)
                .map(([r, c]) => `${r} ${c}`)
                .join(', ')}`
            : ''
        }${s.stages ? `\n${''.padEnd(26)} ${formatStages(s.stages)}` : ''}`,
    );
    const o = report.overall;
    const text = `${lines.join('\n')}\n${'overall'.padEnd(26)} ${String(o.successes).padStart(4)}/${String(o.episodes).padEnd(4)} ${(o.success * 100).toFixed(1).padStart(6)}%  [${(o.ci95[0] * 100).toFixed(1)}, ${(o.ci95[1] * 100).toFixed(1)}]  (${report.wallSeconds.toFixed(1)} s)\n`;
    writeResult(text, jsonSummary(report), Boolean(options.json));
    if (options.out) logger.info('eval report written', { dir: String(options.out) });
    return 0;
  },
};
