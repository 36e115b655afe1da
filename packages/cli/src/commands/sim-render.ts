import { writeFileSync } from 'node:fs';
import { embodimentNames, logger, ValidationError } from '@robofm/core';
import type { Command } from '../command.ts';

export const simRenderCommand: Command = {
  name: 'sim render',
  summary: 'render every camera of a simulated body side by side into a PNG',
  description:
    'Builds the scene for --scene-seed (the default scene of the body, or --task from the task registry),\n' +
    'resets, optionally steps at the home pose, and writes one picture of all cameras side by side\n' +
    '(with --overview, a third-person view of the robot first).',
  options: {
    embodiment: { type: 'string', help: 'body to render', default: 'arm6', choices: embodimentNames() },
    'scene-seed': { type: 'number', help: 'scene seed', default: 0 },
    task: { type: 'string', help: "registered task name (default: the body's default scene)" },
    out: { type: 'string', help: 'output PNG file', default: 'sim.png' },
    size: { type: 'number', help: 'pixels per camera (square)', default: 256 },
    steps: { type: 'number', help: 'control steps to hold the home pose before rendering', default: 0 },
    overview: { type: 'boolean', help: "prepend the third-person 'overview' camera (not a policy camera)" },
  },
  examples: [
    'robofm sim render --embodiment bimanual --scene-seed 3 --out bimanual.png',
    'robofm sim render --embodiment humanoid --overview --out humanoid.png',
  ],
  async run({ options }) {
    const { SimEnv, snapshotPng } = await import('@robofm/sim');
    const size = Number(options.size);
    if (!Number.isInteger(size) || size < 8 || size > 2048)
      throw new ValidationError('--size', options.size, 'an integer in [8, 2048]');
    const steps = Number(options.steps);
    if (!Number.isInteger(steps) || steps < 0)
      throw new ValidationError('--steps', options.steps, 'an integer ≥ 0');
    const seed = Number(options['scene-seed']);
    if (!Number.isInteger(seed) || seed < 0)
      throw new ValidationError('--scene-seed', options['scene-seed'], 'an integer ≥ 0');
    const env = await SimEnv.create({
      embodiment: String(options.embodiment),
      task: options.task as string | undefined,
      maxSteps: steps + 1,
    });
    try {
      const { obs } = env.reset({ seed });
      const hold = Float32Array.from(obs.state);
      for (let i = 0; i < steps; i++) env.step(hold);
      const { png, width, height } = snapshotPng(env, size, 4, options.overview ? ['overview'] : []);
      writeFileSync(String(options.out), png);
      logger.info(
        `wrote ${options.out} (${width}x${height}; cameras ${env.spec.cameras.map((c) => c.name).join(', ')}; ` +
          `task ${env.task.name}; instruction "${obs.instruction}")`,
      );
    } finally {
      env.dispose();
    }
    return 0;
  },
};
