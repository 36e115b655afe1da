import { type EmbodimentSpec, ValidationError } from '@robofm/core';

/** Tolerance for targets just outside a joint's range (float32 rounding of normalized actions). */
export const ACTION_TOLERANCE = 1e-4;

/**
 * Checks an action (absolute joint targets in `spec.actionNames` order) and writes it into `out`.
 * Wrong width, non-finite or out-of-range entries throw a ValidationError naming the entry.
 */
export function checkAction(spec: EmbodimentSpec, action: unknown, out: Float64Array): Float64Array {
  const n = spec.joints.length;
  if (
    !(action instanceof Float32Array || action instanceof Float64Array || Array.isArray(action)) ||
    (action as ArrayLike<number>).length !== n
  ) {
    throw new ValidationError(
      'action',
      action,
      `a Float32Array of length ${n} (${spec.name}: ${spec.actionNames.join(', ')})`,
    );
  }
  const a = action as ArrayLike<number>;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    const j = spec.joints[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ValidationError(`action[${i}] (${j.name})`, v, 'a finite number');
    const tol = ACTION_TOLERANCE * Math.max(1, j.upper - j.lower);
    if (v < j.lower - tol || v > j.upper + tol)
      throw new ValidationError(`action[${i}] (${j.name})`, v, `a target in [${j.lower}, ${j.upper}]`);
    out[i] = v < j.lower ? j.lower : Math.min(v, j.upper);
  }
  return out;
}
