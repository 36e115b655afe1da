import { didYouMean, RobofmError } from '@robofm/core';
import { type Command, helpText, parseCommandArgs } from './command.ts';
import { commands } from './commands/index.ts';

export function findCommand(argv: string[]): { cmd?: Command; rest: string[]; prefix: string[] } {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const cmd = commands.find((c) => c.name === name);
    if (cmd) return { cmd, rest: argv.slice(n), prefix: words.slice(0, n) };
  }
  return { rest: argv, prefix: words };
}

function overview(prefix: string[]): string {
  const p = prefix.join(' ');
  const list = commands.filter((c) => !p || c.name === p || c.name.startsWith(`${p} `));
  const shown = list.length ? list : commands;
  const lines = [
    `Usage: robofm ${p ? `${p} ` : ''}<command> [options]`,
    '',
    'Commands:',
    ...shown.map((c) => `  ${c.name.padEnd(20)} ${c.summary}`),
    '',
    "Run 'robofm <command> --help' for a command's options.",
  ];
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const { cmd, rest, prefix } = findCommand(argv);
  if (!cmd) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    const known = commands.some((c) => prefix.length > 0 && c.name.startsWith(`${prefix.join(' ')} `));
    if (wantsHelp || known) {
      process.stdout.write(overview(prefix));
      return wantsHelp ? 0 : 2;
    }
    process.stderr.write(
      `robofm: unknown command '${prefix.join(' ')}'${suggest(prefix.join(' '))}\n\n${overview([])}`,
    );
    return 2;
  }
  try {
    const ctx = parseCommandArgs(cmd, rest);
    if (ctx.help) {
      process.stdout.write(helpText(cmd));
      return 0;
    }
    return (await cmd.run(ctx)) ?? 0;
  } catch (e) {
    if (e instanceof RobofmError) {
      process.stderr.write(`robofm ${cmd.name}: error [${e.code}]: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function suggest(name: string): string {
  const best = didYouMean(
    name,
    commands.map((c) => c.name),
  );
  return best ? ` (did you mean '${best}'?)` : '';
}
