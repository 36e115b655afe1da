import { ValidationError } from '@robofm/core';
import type { Rng } from '../rng.ts';

/**
 * Edge-case injectors. Each is a named option on a task; per episode each is switched on with its
 * rate (drawn from the scene seed, so the same seed always gets the same surprises). Reports break
 * success down by these names.
 * - `duplicate`: a second identical object is stuck to the target and comes along when it is
 *   lifted; it must be put back (exactly one may end in the bin).
 * - `damaged`: the target is marked damaged (darker, tagged) and must go to the black reject bin.
 * - `phone`: a phone lies in the target bin and must be moved aside onto the table first.
 * - `nudge`: the target is pushed a few centimetres while the gripper closes in on it.
 * - `slip`: the grasp slips once shortly after lift-off; the object drops and must be re-grasped.
 */
export const EDGE_CASES = ['duplicate', 'damaged', 'phone', 'nudge', 'slip'] as const;
export type EdgeCase = (typeof EDGE_CASES)[number];

/** Default rates used when a task's options do not say otherwise. */
export const DEFAULT_EDGE_RATES: Record<EdgeCase, number> = {
  duplicate: 0.1,
  damaged: 0.1,
  phone: 0.1,
  nudge: 0.1,
  slip: 0.1,
};

/**
 * Reads edge-case settings from task options:
 * - `edgeCases: 'off' | 'default' | {name: rate}` (rates in [0, 1]; missing names get 0 when an
 *   object is given),
 * - `edgeCase: 'name'` forces exactly that one on (tests, demos).
 * Returns the edge cases active in this episode among those the task supports.
 */
export function drawEdgeCases(
  options: Record<string, unknown>,
  supported: readonly EdgeCase[],
  rng: Rng,
): EdgeCase[] {
  const forced = options.edgeCase;
  if (forced !== undefined) {
    const list = Array.isArray(forced) ? forced : [forced];
    for (const f of list) {
      if (!EDGE_CASES.includes(f as EdgeCase))
        throw new ValidationError('taskOptions.edgeCase', f, `one of ${EDGE_CASES.join(', ')}`);
      if (!supported.includes(f as EdgeCase))
        throw new ValidationError(
          'taskOptions.edgeCase',
          f,
          `one this task supports (${supported.join(', ') || 'none'})`,
        );
    }
    return list as EdgeCase[];
  }
  const spec = options.edgeCases ?? 'default';
  let rates: Partial<Record<EdgeCase, number>>;
  if (spec === 'off' || spec === false) rates = {};
  else if (spec === 'default') rates = DEFAULT_EDGE_RATES;
  else if (typeof spec === 'object' && spec !== null) {
    rates = {};
    for (const [k, v] of Object.entries(spec)) {
      if (!EDGE_CASES.includes(k as EdgeCase))
        throw new ValidationError(`taskOptions.edgeCases.${k}`, k, `one of ${EDGE_CASES.join(', ')}`);
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        throw new ValidationError(`taskOptions.edgeCases.${k}`, v, 'a rate in [0, 1]');
      rates[k as EdgeCase] = v;
    }
  } else throw new ValidationError('taskOptions.edgeCases', spec, "'off', 'default' or {name: rate}");
  // Draw every name (even unsupported ones) so adding support later does not reshuffle scenes.
  const on: EdgeCase[] = [];
  for (const name of EDGE_CASES) {
    const u = rng.next();
    if (supported.includes(name) && u < (rates[name] ?? 0)) on.push(name);
  }
  // At most one per episode keeps the breakdown readable: keep the first drawn.
  return on.slice(0, 1);
}
