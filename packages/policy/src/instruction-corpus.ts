/**
 * The built-in instruction corpus the tokenizer is trained on: the task suite's instruction
 * templates and paraphrases, expanded over colours and objects, plus subtask phrases. Trainers add
 * the task strings of the datasets they train on (`corpusWith(extra)`).
 */
const COLORS = [
  'red',
  'green',
  'blue',
  'yellow',
  'orange',
  'purple',
  'white',
  'black',
  'pink',
  'cyan',
  'gray',
];
const OBJECTS = [
  'cube',
  'block',
  'ball',
  'cylinder',
  'can',
  'box',
  'object',
  'bottle',
  'cup',
  'phone',
  'toy',
];
const PLACES = ['bin', 'box', 'bowl', 'tray', 'basket', 'target', 'plate'];

const TEMPLATES = [
  'put the {c1} {o} in the {c2} {p}',
  'place the {c1} {o} into the {c2} {p}',
  'pick up the {c1} {o} and put it in the {c2} {p}',
  'move the {c1} {o} to the {c2} {p}',
  'drop the {c1} {o} into the {c2} {p}',
  'stack the {c1} block on the {c2} block',
  'put the {c1} block on top of the {c2} block',
  'push the {c1} {o} onto the {c2} target',
  'slide the {c1} {o} to the {c2} marker',
  'press the {c1} button',
  'push the {c1} button',
  'open the drawer',
  'close the drawer',
  'pull the drawer open',
  'push the drawer shut',
  'clear the table',
  'put every object in the {c2} {p}',
  'hand the {c1} {o} to the other arm and place it in the {c2} {p}',
  'pass the {c1} {o} between the arms',
  'fetch the {c1} {o} from the other counter',
  'bring the {c1} {o} back and put it in the {c2} {p}',
  'pick up the {c1} {o}',
  'grasp the {c1} {o}',
  'move to the {c2} {p}',
  'release',
  'open the gripper',
  'close the gripper',
  'put the extra block back',
  'move the phone aside',
  'put the damaged {o} in the reject bin',
  'go to the {c2} counter',
  'pick up the {c1} {o} and drop it in the {c2} {p}',
  'put the {c1} {o} on top of the {c2} block',
  'place the {c1} {o} onto the {c2} block',
  'nudge the {c1} {o} onto the {c2} target',
  'please open the drawer',
  'please close the drawer',
  'hit the {c1} button',
  'clear the table into the {c2} {p}',
  'tidy up: everything goes in the {c2} {p}',
  'use both arms to move the {c1} {o} to the {c2} {p}',
  'bring the {c1} {o} from the other counter to the {c2} {p}',
  'fetch the {c1} {o} and put it in the {c2} {p}',
  'go get the {c1} {o} and place it in the {c2} {p}',
];

/** Deterministic expansion of the templates (a few thousand lines). */
export function instructionCorpus(): string[] {
  const out: string[] = [];
  for (const t of TEMPLATES) {
    for (const [i, c1] of COLORS.entries()) {
      for (const [j, o] of OBJECTS.entries()) {
        const c2 = COLORS[(i + j + 1) % COLORS.length];
        const p = PLACES[(i + 2 * j) % PLACES.length];
        out.push(t.replaceAll('{c1}', c1).replaceAll('{c2}', c2).replaceAll('{o}', o).replaceAll('{p}', p));
      }
    }
  }
  return out;
}

/** The built-in corpus plus extra lines (dataset tasks, subtasks), each extra line weighted 20×. */
export function corpusWith(extra: Iterable<string>): string[] {
  const out = instructionCorpus();
  for (const line of extra) for (let k = 0; k < 20; k++) out.push(line);
  return out;
}
