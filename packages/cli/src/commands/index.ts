import type { Command } from '../command.ts';

/**
 * Every `robofm` command. Each lives in its own file in this folder (named after the command,
 * e.g. `bench-torch.ts`) and is listed here once.
 */
export const commands: Command[] = [];
