import { ValidationError } from '@robofm/core';
import type { Command } from '../command.ts';

export const benchTorchCommand: Command = {
  name: 'bench torch',
  summary: 'libtorch from TypeScript vs PyTorch eager: training-step time, per-op overhead, RSS',
  description:
    'Trains a 4-layer pre-norm transformer (d128, 4 heads, MLP 512, batch 32x80, MSE, AdamW) and a CNN\n' +
    '(3 convs + MLP, 64x64x3, batch 64, cross-entropy, AdamW) op by op in TypeScript and in PyTorch eager\n' +
    "(packages/torch/bench/torch_reference.py on Debian's python3-torch: same libtorch, threads, weights and\n" +
    'batch), interleaving blocks of steps; reports medians. Also the 1-element add overhead (CPU us/op) and the\n' +
    'process RSS after 100 and after --rss-steps steps of a training loop.\n' +
    'With --json the last line is {"transformer":{"ts_ms":…,"py_ms":…,"ratio":…},"cnn":{…},' +
    '"op_overhead_us":{"ts":…,"py":…},"rss_mb":{"step100":…,"step2000":…}}.',
  options: {
    rounds: { type: 'number', help: 'interleaved rounds per model', default: 24 },
    'steps-per-round': { type: 'number', help: 'training steps per side per round', default: 1 },
    warmup: { type: 'number', help: 'warm-up steps per side before timing', default: 3 },
    'op-iters': { type: 'number', help: '1-element adds per op-overhead sample', default: 100000 },
    'rss-steps': {
      type: 'number',
      help: 'steps of the RSS run (sampled at 100 and at the end)',
      default: 2000,
    },
    'no-python': { type: 'boolean', help: 'TypeScript side only' },
    json: { type: 'boolean', help: 'print the JSON summary as the last line' },
  },
  examples: [
    'robofm bench torch',
    'robofm bench torch --json',
    'robofm bench torch --rounds 2 --rss-steps 200',
  ],
  async run({ options }) {
    const { benchTorch } = await import('@robofm/torch');
    const positive = (name: string, min: number) => {
      const v = Number(options[name]);
      if (!Number.isInteger(v) || v < min)
        throw new ValidationError(`--${name}`, options[name], `an integer >= ${min}`);
      return v;
    };
    const r = await benchTorch({
      rounds: positive('rounds', 1),
      stepsPerRound: positive('steps-per-round', 1),
      warmup: positive('warmup', 0),
      opIters: positive('op-iters', 1),
      rssSteps: positive('rss-steps', 100),
      noPython: Boolean(options['no-python']),
    });
    const line = JSON.stringify({
      transformer: r.transformer,
      cnn: r.cnn,
      op_overhead_us: r.op_overhead_us,
      rss_mb: r.rss_mb,
    });
    if (!options.json) {
      const f = (t: { ts_ms: number; py_ms: number | null; ratio: number | null }) =>
        `ts ${t.ts_ms} ms   py ${t.py_ms ?? 'n/a'} ms   ratio ${t.ratio ?? 'n/a'}`;
      const d = r.detail;
      process.stdout.write(
        [
          `transformer step  ${f(r.transformer)}   (paired ratio ${d.pairedRatio.transformer ?? 'n/a'}; loss max |ts-py| ${d.lossMaxAbsDiff.transformer ?? 'n/a'})`,
          `cnn step          ${f(r.cnn)}   (paired ratio ${d.pairedRatio.cnn ?? 'n/a'}; loss max |ts-py| ${d.lossMaxAbsDiff.cnn ?? 'n/a'})`,
          `op overhead       ts ${r.op_overhead_us.ts} us/op   py ${r.op_overhead_us.py ?? 'n/a'} us/op   (CPU time; wall ts ${d.opWallUs.ts} py ${d.opWallUs.py ?? 'n/a'})`,
          `rss               step 100: ${r.rss_mb.step100} MB   step ${d.rssSteps}: ${r.rss_mb.step2000} MB   (${d.rssModel})`,
          `threads           libtorch ${d.torchThreads}, OpenBLAS ${d.blasThreads}; ${d.stepsTimed} timed steps per side; python ${d.python ?? 'none'}`,
          '',
        ].join('\n'),
      );
    }
    process.stdout.write(`${line}\n`);
    return 0;
  },
};
