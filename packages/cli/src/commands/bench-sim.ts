import { ValidationError } from '@robofm/core';
import type { Command } from '../command.ts';

export const benchSimCommand: Command = {
  name: 'bench sim',
  summary: 'MuJoCo WASM physics vs native, renderer fps, env policy-steps/s',
  description:
    "Physics steps/s of the arm6 scene on one thread and, when Debian's mujoco-testspeed is installed, native\n" +
    'MuJoCo on the same XML in the same run (interleaved, medians); ray-cast render fps at 64/96/128;\n' +
    'env policy-steps/s with two 96x96 cameras, single and vectorized (worker threads).\n' +
    'With --json the last line is {"physics":{"wasm_steps_per_s":…,"native_steps_per_s":…,"ratio":…},' +
    '"render_fps":{"64":…,"96":…,"128":…},"env_steps_per_s":{"single":…,"vectorized":…}}.',
  options: {
    rounds: { type: 'number', help: 'interleaved rounds (medians are reported)', default: 3 },
    'physics-steps': { type: 'number', help: 'physics steps per timing', default: 20000 },
    'env-steps': { type: 'number', help: 'policy steps per env timing', default: 100 },
    'vec-envs': { type: 'number', help: 'envs in the vectorized env', default: 2 },
    json: { type: 'boolean', help: 'print the JSON summary as the last line' },
  },
  async run({ options }) {
    const { benchSim } = await import('@robofm/sim');
    for (const k of ['rounds', 'physics-steps', 'env-steps', 'vec-envs'] as const) {
      const v = Number(options[k]);
      if (!Number.isInteger(v) || v < 1)
        throw new ValidationError(`--${k}`, options[k], 'a positive integer');
    }
    const r = await benchSim({
      rounds: Number(options.rounds),
      physicsSteps: Number(options['physics-steps']),
      envSteps: Number(options['env-steps']),
      vecEnvs: Number(options['vec-envs']),
    });
    const line = JSON.stringify({
      physics: r.physics,
      render_fps: r.render_fps,
      env_steps_per_s: r.env_steps_per_s,
    });
    if (!options.json) {
      const p = r.physics;
      process.stdout.write(
        [
          `physics  wasm ${p.wasm_steps_per_s} steps/s   native ${p.native_steps_per_s ?? 'n/a'} steps/s   ratio ${p.ratio ?? 'n/a'}` +
            `   (${r.detail.nativeBinary ?? 'no mujoco-testspeed'}; samples wasm ${r.detail.wasmSamples.join('/')} native ${r.detail.nativeSamples.join('/') || '-'})`,
          `physics  arm6 env world with PD control: ${r.detail.envWasmStepsPerS} steps/s`,
          `render   front camera, arm moving: 64² ${r.render_fps['64']} fps   96² ${r.render_fps['96']} fps   128² ${r.render_fps['128']} fps`,
          `render   96² every pixel re-cast ${r.detail.render96FullRecastFps} fps   96² wrist camera (moving) ${r.detail.render96WristFps} fps`,
          `env      single ${r.env_steps_per_s.single} steps/s   vectorized (${r.detail.vecEnvs} envs) ${r.env_steps_per_s.vectorized} steps/s`,
          '',
        ].join('\n'),
      );
    }
    process.stdout.write(`${line}\n`);
    return 0;
  },
};
