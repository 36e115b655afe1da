import { type Command, type OptionSpec, writeResult } from '../command.ts';

/** Options of every command that writes a dataset from training scenes (`sim collect`, `sim scenes`). */
export const TRAINING_SCENE_OPTIONS: Record<string, OptionSpec> = {
  'seed-start': { type: 'number', help: 'first training scene index', default: 0 },
  'edge-cases': {
    type: 'string',
    help: 'edge-case injection',
    default: 'default',
    choices: ['default', 'off'],
  },
  out: { type: 'string', help: 'dataset directory (created or appended to)' },
  json: { type: 'boolean', help: 'print a JSON summary as the last stdout line' },
};

/** `robofm sim collect`: scripted-expert demonstrations as a LeRobot v3 dataset. */
export const simCollectCommand: Command = {
  name: 'sim collect',
  summary: 'collect scripted-expert episodes on training scenes into a LeRobot v3 dataset',
  description: [
    'Runs the privileged scripted expert of a task (quality expert, noisy, failing, or a seeded mix',
    '60/25/15) on training scene seeds and writes every camera, state, action, the instruction as the',
    'task, the subtask label per frame, reward, done, success (episode outcome), quality tier,',
    'scene seed and edge case. Held-out scenes are refused: they are for evaluation only.',
  ].join('\n'),
  options: {
    embodiment: {
      type: 'string',
      help: 'body (arm6, arm4, mobile, bimanual, humanoid, hand)',
      default: 'arm6',
    },
    task: { type: 'string', help: 'suite task (pick_place, handover, ...)', default: 'pick_place' },
    episodes: { type: 'number', help: 'number of episodes', default: 10 },
    quality: {
      type: 'string',
      help: 'demonstration quality',
      default: 'expert',
      choices: ['expert', 'noisy', 'failing', 'mixed'],
    },
    'scene-seeds': {
      type: 'string',
      help: 'scene seed split (only train)',
      default: 'train',
      choices: ['train'],
    },
    ...TRAINING_SCENE_OPTIONS,
  },
  examples: [
    'robofm sim collect --embodiment arm6 --task pick_place --episodes 100 --quality expert --scene-seeds train --out data/arm6-pick',
  ],
  async run({ options }) {
    const { ValidationError } = await import('@robofm/core');
    if (options.out === undefined) throw new ValidationError('--out', undefined, 'a dataset directory');
    const { collectDataset } = await import('@robofm/eval');
    const s = await collectDataset({
      embodiment: String(options.embodiment),
      task: String(options.task),
      episodes: Number(options.episodes),
      quality: options.quality as 'expert',
      sceneSeeds: 'train',
      seedStart: Number(options['seed-start']),
      edgeCases: options['edge-cases'],
      out: String(options.out),
    });
    const text = `collected ${s.episodes} episodes (${s.frames} frames, ${s.successes} successful) into ${s.dir} in ${s.wallSeconds} s\n`;
    writeResult(text, s, Boolean(options.json));
    return 0;
  },
};
