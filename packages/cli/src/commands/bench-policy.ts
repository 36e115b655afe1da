import type { Command } from '../command.ts';

export const benchPolicyCommand: Command = {
  name: 'bench policy',
  summary: 'VLA inference latency (batch 1 and 8) and training samples/s',
  description:
    'Measures one action chunk (10 Euler steps for flow models) for arm6 observations at batch 1 and 8, interleaved,\n' +
    'on the shipped demo checkpoint (or --checkpoint), and training samples/s of the preset on synthetic data.\n' +
    'With --json the last line is {"infer_ms":{"p50":…,"p99":…},"infer_ms_b8":{"p50":…,"p99":…},"train_samples_per_s":…}.',
  options: {
    preset: { type: 'string', help: 'preset whose training throughput is measured', default: 'demo' },
    checkpoint: { type: 'string', help: 'checkpoint to time (default: the shipped demo checkpoint)' },
    iterations: { type: 'number', help: 'timed inference calls per batch size', default: 100 },
    'train-steps': { type: 'number', help: 'timed training steps', default: 20 },
    bodies: {
      type: 'string',
      help: 'bodies of the synthetic training data, comma-separated; with two or more, also times batches that mix bodies',
      default: 'arm6',
    },
    json: { type: 'boolean', help: 'print the JSON summary as the last line' },
  },
  async run({ options }) {
    const { benchPolicy } = await import('@robofm/train');
    const r = await benchPolicy({
      preset: String(options.preset),
      checkpoint: options.checkpoint as string | undefined,
      iterations: Number(options.iterations),
      trainSteps: Number(options['train-steps']),
      bodies: String(options.bodies)
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    });
    const line = JSON.stringify({
      infer_ms: r.infer_ms,
      infer_ms_b8: r.infer_ms_b8,
      train_samples_per_s: r.train_samples_per_s,
    });
    if (!options.json) {
      process.stdout.write(
        [
          `checkpoint   ${r.detail.checkpoint} (${r.detail.kind})`,
          `infer b=1    p50 ${r.infer_ms.p50} ms   p99 ${r.infer_ms.p99} ms`,
          `infer b=8    p50 ${r.infer_ms_b8.p50} ms   p99 ${r.infer_ms_b8.p99} ms`,
          `train        ${r.train_samples_per_s} samples/s (preset ${r.detail.preset}, batch ${r.detail.batchSize}, ${r.detail.bodies.join(' + ')}${r.detail.bodies.length > 1 ? ', one body per batch' : ''})`,
          ...(r.detail.mixedSamplesPerS !== undefined
            ? [
                `train mixed  ${r.detail.mixedSamplesPerS} samples/s (bodies mixed within each batch; ${(r.train_samples_per_s / r.detail.mixedSamplesPerS).toFixed(2)}x)`,
              ]
            : []),
          '',
        ].join('\n'),
      );
    }
    process.stdout.write(`${line}\n`);
    return 0;
  },
};
