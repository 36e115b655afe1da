import { type EmbodimentSpec, validateEmbodimentSpec } from '../embodiment.ts';
import { ValidationError } from '../errors.ts';
import { arm4Spec } from './arm4.ts';
import { arm6Spec } from './arm6.ts';
import { bimanualSpec } from './bimanual.ts';
import { handSpec } from './hand.ts';
import { humanoidSpec } from './humanoid.ts';
import { mobileSpec } from './mobile.ts';

export { arm4Spec, arm6Spec, bimanualSpec, handSpec, humanoidSpec, mobileSpec };

/** Every built-in body, by name (the simulator builds each of them). */
export const EMBODIMENTS: Readonly<Record<string, EmbodimentSpec>> = Object.freeze(
  Object.fromEntries(
    [arm6Spec, arm4Spec, mobileSpec, bimanualSpec, humanoidSpec, handSpec].map((s) => [
      s.name,
      validateEmbodimentSpec(s),
    ]),
  ),
);

export function embodimentNames(): string[] {
  return Object.keys(EMBODIMENTS);
}

/** The spec of a built-in body; an unknown name throws a ValidationError listing the known ones. */
export function getEmbodiment(name: string): EmbodimentSpec {
  const spec = EMBODIMENTS[name];
  if (!spec) throw new ValidationError('embodiment', name, `one of ${embodimentNames().join(', ')}`);
  return spec;
}
