import { getEmbodiment, ValidationError } from '@robofm/core';
import { arm4Robot } from './arm4.ts';
import { arm6Robot } from './arm6.ts';
import { bimanualRobot } from './bimanual.ts';
import { type RobotDescription, validateRobot } from './description.ts';
import { handRobot } from './hand.ts';
import { humanoidRobot } from './humanoid.ts';
import { mobileRobot } from './mobile.ts';

const ROBOTS: Record<string, RobotDescription> = Object.fromEntries(
  [arm6Robot, arm4Robot, mobileRobot, bimanualRobot, humanoidRobot, handRobot].map((r) => [
    r.embodiment,
    validateRobot(r, getEmbodiment(r.embodiment)),
  ]),
);

/** The simulated body (geometry) of a built-in embodiment. */
export function getRobot(name: string): RobotDescription {
  const r = ROBOTS[name];
  if (!r) throw new ValidationError('embodiment', name, `one of ${Object.keys(ROBOTS).join(', ')}`);
  return r;
}

export function robotNames(): string[] {
  return Object.keys(ROBOTS);
}
