import type { Command } from '../command.ts';
import { benchPolicyCommand } from './bench-policy.ts';
import { demoCommand } from './demo.ts';
import { trainCommand } from './train.ts';

/**
 * Every `robofm` command. Each lives in its own file in this folder (named after the command,
 * e.g. `bench-torch.ts`) and is listed here once.
 */
export const commands: Command[] = [
  trainCommand,
  demoCommand,
  benchPolicyCommand,
];
