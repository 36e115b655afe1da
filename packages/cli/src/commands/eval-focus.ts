import { ValidationError } from '@robofm/core';
import { type Command, writeResult } from '../command.ts';
import { HELDOUT_OPTIONS, PARAPHRASES_OPTION } from './eval.ts';

/** `robofm eval focus`: how well a model's auxiliary read-out localizes the named object and bin. */
export const evalFocusCommand: Command = {
  name: 'eval focus',
  summary: "localization check: a model's auxiliary 'where' read-out against the simulator's truth",
  description: [
    'For a checkpoint trained with the auxiliary task (model.auxWeight > 0 on data with',
    'observation.environment_state), reads its prediction of where the named object and its',
    'destination are from the first observation of N scenes, and reports the horizontal errors',
    '(mean, median, count within 5 cm) beside those of always guessing the training mean. A model',
    'trained with focus heatmaps (model.focusWeight) also gets where they peak in its first camera,',
    "cast onto the table with the scene's true camera and heights (a bound, not a read-out a",
    'policy has), and where its keypoint tokens (what the action expert reads) put the',
    'same points. Held-out scenes and paraphrases by default; --split train checks the',
    'training scenes and wording (memorization); --paraphrases sets the wording alone (language vs',
    'perception); --arm-poses demo puts the arm in poses the scripted expert visits (drawn per',
    'scene from training demonstrations), as rollouts see it, instead of the start pose.',
    'With --json the last stdout line is the report.',
  ].join('\n'),
  options: {
    policy: { type: 'string', help: 'checkpoint directory, run directory or demo' },
    suite: { type: 'string', help: 'task/embodiment', default: 'pick_place/arm6' },
    scenes: { type: 'number', help: 'number of scenes', default: 50 },
    split: { type: 'string', help: 'scene split', default: 'heldout', choices: ['heldout', 'train'] },
    'seed-start': { ...HELDOUT_OPTIONS['seed-start'], help: 'first scene index of the split' },
    'edge-cases': HELDOUT_OPTIONS['edge-cases'],
    paraphrases: {
      type: PARAPHRASES_OPTION.type,
      choices: PARAPHRASES_OPTION.choices,
      help: "instruction paraphrase set (default: the split's own)",
    },
    'arm-poses': {
      type: 'string',
      help: "the robot's pose: the task's start pose, or one from training demonstrations",
      default: 'start',
      choices: ['start', 'demo'],
    },
    sheet: {
      type: 'string',
      help: 'write a PNG of the worst object misses (truth green, object peak red, destination peak blue)',
    },
    json: { type: 'boolean', help: 'print the report as JSON on the last stdout line' },
  },
  examples: ['robofm eval focus --policy .robofm/runs/demo --scenes 100'],
  async run({ options }) {
    if (!options.policy) throw new ValidationError('--policy', options.policy, 'a checkpoint directory');
    const [task, embodiment] = String(options.suite).split('/');
    if (!task || !embodiment) throw new ValidationError('--suite', options.suite, 'task/embodiment');
    const { focusCheck } = await import('@robofm/eval');
    const r = await focusCheck({
      policy: String(options.policy),
      task,
      embodiment,
      scenes: Number(options.scenes),
      split: options.split as 'heldout' | 'train',
      seedStart: Number(options['seed-start']),
      edgeCases: options['edge-cases'],
      paraphrases: options.paraphrases as 'heldout' | 'train' | undefined,
      armPoses: String(options['arm-poses']) as 'start' | 'demo',
      ...(options.sheet !== undefined ? { sheet: String(options.sheet) } : {}),
    });
    const line = (
      name: string,
      s: { meanCm: number; medianCm: number; within5cm: number },
      g: { meanCm: number },
    ) =>
      `${name.padEnd(8)} mean ${s.meanCm.toFixed(1).padStart(5)} cm  median ${s.medianCm.toFixed(1).padStart(5)} cm  within 5 cm ${String(s.within5cm).padStart(3)}/${r.scenes}   (mean guess ${g.meanCm.toFixed(1)} cm)\n`;
    let text = `${r.suite}, ${r.scenes} ${r.split} scenes, ${r.paraphrases} paraphrases, arm at ${r.armPoses === 'demo' ? 'demonstration poses' : 'start pose'}, ${r.policy}\n${line('object', r.object, r.meanGuess.object)}${line('dest', r.dest, r.meanGuess.dest)}`;
    if (r.heatmap)
      text += `heatmap peaks (${r.heatmap.camera} camera):\n${line('object', r.heatmap.object, r.meanGuess.object)}${line('dest', r.heatmap.dest, r.meanGuess.dest)}`;
    if (r.keypoints)
      text += `keypoint tokens (${r.keypoints.camera} camera):\n${line('object', r.keypoints.object, r.meanGuess.object)}${line('dest', r.keypoints.dest, r.meanGuess.dest)}`;
    if (options.sheet !== undefined) text += `worst misses: ${String(options.sheet)}\n`;
    writeResult(text, r, Boolean(options.json));
    return 0;
  },
};
