import { EMBODIMENTS } from '@robofm/core';

/**
 * For each action dim, the state index holding the same joint's position (delta actions are taken
 * relative to it), or −1 to keep the dim absolute: grippers (open/close commands, not positions to
 * track) and actions with no matching state entry.
 */
export function deltaIndexFor(embodiment: string, stateNames: string[], actionNames: string[]): number[] {
  const spec = EMBODIMENTS[embodiment];
  return actionNames.map((a) => {
    const kind = spec?.joints.find((j) => j.name === a)?.kind;
    if (kind === 'gripper' || (!spec && /gripper/i.test(a))) return -1;
    return stateNames.indexOf(a);
  });
}
