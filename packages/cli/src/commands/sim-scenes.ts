import { type Command, writeResult } from '../command.ts';
import { TRAINING_SCENE_OPTIONS } from './sim-collect.ts';

/** `robofm sim scenes`: one labelled first frame per training scene, no actions (perception data). */
export const simScenesCommand: Command = {
  name: 'sim scenes',
  summary: 'render first frames of many training scenes with the task focus as labels (no actions)',
  description: [
    'For each training scene of a goal task: the robot at its start pose, every camera, the state,',
    'the instruction as the task, and the focus (the named object and its destination, world x/y/z)',
    'as observation.environment_state; no action column. The trainer learns its auxiliary "where"',
    'task from such frames (mix them in with --datasets=demos:3,scenes:1), never actions.',
    'With --arm-poses demo the robot stands in a pose the scripted expert visits on other training',
    'scenes (so the cameras see the arm where rollouts take it, and its pose says nothing about',
    "this scene's object); the labels are the same.",
  ].join('\n'),
  options: {
    embodiment: { type: 'string', help: 'body (arm6, arm4, mobile, humanoid, hand, ...)', default: 'arm6' },
    task: { type: 'string', help: 'suite task with goal objects (pick_place, ...)', default: 'pick_place' },
    scenes: { type: 'number', help: 'number of scenes (one frame each)', default: 1000 },
    'arm-poses': {
      type: 'string',
      help: "the robot's pose: the task's start pose, or one from other scenes' demonstrations",
      default: 'start',
      choices: ['start', 'demo'],
    },
    ...TRAINING_SCENE_OPTIONS,
  },
  examples: [
    'robofm sim scenes --embodiment arm6 --task pick_place --scenes 4000 --seed-start 10000 --out data/arm6-scenes',
    'robofm sim scenes --embodiment arm6 --task pick_place --scenes 4000 --arm-poses demo --out data/arm6-poses',
  ],
  async run({ options }) {
    const { ValidationError } = await import('@robofm/core');
    if (options.out === undefined) throw new ValidationError('--out', undefined, 'a dataset directory');
    const { collectScenes } = await import('@robofm/eval');
    const s = await collectScenes({
      embodiment: String(options.embodiment),
      task: String(options.task),
      scenes: Number(options.scenes),
      seedStart: Number(options['seed-start']),
      armPoses: String(options['arm-poses']) as 'start' | 'demo',
      edgeCases: options['edge-cases'],
      out: String(options.out),
    });
    const text = `rendered ${s.frames} scenes (${s.episodes} episodes) into ${s.dir} in ${s.wallSeconds} s\n`;
    writeResult(text, s, Boolean(options.json));
    return 0;
  },
};
