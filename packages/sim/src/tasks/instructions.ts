import { ValidationError } from '@robofm/core';
import type { Rng } from '../rng.ts';

/**
 * Instruction templates per task. Slots in braces are filled from the scene (`{object}` = "red
 * cube", `{target}` = "blue bin", ...). Each task has training paraphrases and a disjoint held-out
 * set used only by evaluation, to test that a policy follows language it was not trained on.
 */
export interface TemplateSet {
  train: string[];
  heldout: string[];
}

export const INSTRUCTION_TEMPLATES: Record<string, TemplateSet> = {
  pick_place: {
    train: [
      'put the {object} in the {target}',
      'place the {object} into the {target}',
      'pick up the {object} and drop it in the {target}',
      'move the {object} to the {target}',
    ],
    heldout: ['could you get the {object} into the {target}', 'the {object} belongs in the {target}'],
  },
  stack: {
    train: [
      'stack the {object} on the {target}',
      'put the {object} on top of the {target}',
      'place the {object} onto the {target}',
    ],
    heldout: ['build a tower: the {object} goes on the {target}', 'set the {object} down on the {target}'],
  },
  push: {
    train: [
      'push the {object} onto the {target}',
      'slide the {object} to the {target}',
      'nudge the {object} onto the {target}',
    ],
    heldout: [
      'shove the {object} over to the {target}',
      'get the {object} onto the {target} without lifting it',
    ],
  },
  drawer: {
    train: ['{verb} the drawer', '{verb} the {target}', 'please {verb} the drawer'],
    heldout: ['the drawer should be {state}', 'make sure the {target} is {state}'],
  },
  button: {
    train: ['press the {target}', 'push the {target}', 'hit the {target}'],
    heldout: ['give the {target} a press', 'activate the {target}'],
  },
  clear_table: {
    train: [
      'put every object in the {target}',
      'clear the table into the {target}',
      'tidy up: everything goes in the {target}',
    ],
    heldout: ['empty the table into the {target}', 'leave nothing on the table, use the {target}'],
  },
  handover: {
    train: [
      'hand the {object} to the other arm and place it in the {target}',
      'pass the {object} between the arms and put it in the {target}',
      'use both arms to move the {object} to the {target}',
    ],
    heldout: [
      'transfer the {object} across to the {target} with a handover',
      'the {object} goes to the {target}, hand it over',
    ],
  },
  fetch: {
    train: [
      'bring the {object} from the other counter to the {target}',
      'fetch the {object} and put it in the {target}',
      'go get the {object} and place it in the {target}',
    ],
    heldout: [
      'I need the {object} in the {target}, it is on the far counter',
      'retrieve the {object} for the {target}',
    ],
  },
};

export type ParaphraseSet = 'train' | 'heldout';

/** Fills `{slot}` markers; throws naming the slot when a value is missing. */
export function fillTemplate(template: string, slots: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = slots[k];
    if (v === undefined)
      throw new ValidationError(`instruction slot {${k}}`, undefined, `a value for template "${template}"`);
    return v;
  });
}

/** Picks a paraphrase from the given set and fills it. */
export function makeInstruction(
  task: string,
  slots: Record<string, string>,
  set: ParaphraseSet,
  rng: Rng,
): string {
  const t = INSTRUCTION_TEMPLATES[task];
  if (!t) throw new ValidationError('task', task, `one of ${Object.keys(INSTRUCTION_TEMPLATES).join(', ')}`);
  return fillTemplate(rng.choice(t[set]), slots);
}
