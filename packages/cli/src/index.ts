export type { Command, CommandContext, OptionSpec, OptionValues, PositionalSpec } from './command.ts';
export { helpText, parseCommandArgs } from './command.ts';
export { main, findCommand } from './main.ts';
