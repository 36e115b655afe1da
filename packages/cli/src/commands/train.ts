import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RobofmError, ValidationError, logger } from '@robofm/core';
import type { Command } from '../command.ts';

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a VLA from LeRobot datasets (presets + --key=value overrides)',
  description: [
    'Settings come from a preset (robofm train --preset demo) and are overridden one by one with',
    '--key=value (type-checked; unknown keys answer "did you mean"). Useful keys: datasets=dir[:w],dir2[:w],',
    'out=runs/x, steps, batchSize, lr, warmupSteps, gradClip, emaDecay, seed, saveEvery, timeLimitMin,',
    'init=<checkpoint> (fine-tune), freeze=none|vision|backbone, model.kind=flow|token, model.dModel, ...',
    'Resumes from <out>/latest when present (resume=false to start over). The last stdout line is a',
    'JSON summary.',
  ].join('\n'),
  options: {
    preset: { type: 'string', help: 'preset name', default: 'demo' },
    'max-episodes': { type: 'number', help: 'read at most this many episodes per dataset' },
    'list-presets': { type: 'boolean', help: 'print the preset names and exit' },
  },
  allowUnknownOptions: true,
  examples: [
    'robofm train --preset demo --datasets=data/arm6_pick_place,data/bimanual_handover --out=.robofm/runs/demo',
    'robofm train --preset demo-token --datasets=data/arm6_pick_place --steps=2000',
    'robofm train --preset demo --init=runs/demo --datasets=data/arm4_pick_place --freeze=vision',
  ],
  async run({ options, extra }) {
    const { PRESETS, applyOverrides, getPreset, loadSources, train } = await import('@robofm/train');
    if (options['list-presets']) {
      for (const [name, p] of Object.entries(PRESETS))
        process.stdout.write(`${name}\t${p.model.kind}\td=${p.model.dModel}\tsteps=${p.steps}\n`);
      return 0;
    }
    const cfg = applyOverrides(getPreset(String(options.preset)), extra);
    if (!cfg.datasets)
      throw new ValidationError('--datasets', cfg.datasets, 'dir[:weight],… of LeRobot datasets');
    const maxEp = options['max-episodes'] as number | undefined;
    const source = await loadSources(cfg.datasets, { imageSize: cfg.model.imageSize, maxEpisodes: maxEp });
    logger.info('training', {
      preset: cfg.preset,
      out: cfg.out,
      frames: source.frames,
      embodiments: Object.keys(source.embodiments).join(','),
    });
    const r = await train({
      config: cfg,
      source,
      evaluate: (dir) => evalInChild(dir, cfg.evalSuite, cfg.evalEpisodes),
    });
    process.stdout.write(
      `${JSON.stringify({ checkpoint: r.checkpointDir, steps: r.steps, final_loss: r.finalLoss, wall_s: r.wallS, samples_per_s: r.samplesPerS })}\n`,
    );
    return 0;
  },
};

const ROBOFM_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'robofm.js');

/** `robofm eval --json` on a checkpoint in a child process (one worker); resolves with its summary. */
function evalInChild(dir: string, suite: string, episodes: number): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    const args = [
      'eval',
      '--policy',
      dir,
      '--suite',
      suite,
      '--episodes',
      String(episodes),
      '--workers',
      '1',
      '--json',
    ];
    const p = spawn(process.execPath, [ROBOFM_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, ROBOFM_PROGRESS: '0' },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', rej);
    p.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) res(JSON.parse(last) as Record<string, unknown>);
      else rej(new RobofmError('eval_failed', `robofm ${args.join(' ')} exited with ${code}`));
    });
  });
}
