import { parseArgs } from 'node:util';
import { ValidationError } from '@robofm/core';

export interface OptionSpec {
  type: 'string' | 'number' | 'boolean';
  help: string;
  default?: string | number | boolean;
  short?: string;
  /** For string options: the allowed values. */
  choices?: readonly string[];
}

export interface PositionalSpec {
  name: string;
  help: string;
  required?: boolean;
}

export type OptionValues = Record<string, string | number | boolean | undefined>;

export interface CommandContext {
  positionals: string[];
  options: OptionValues;
  /** `--key=value` flags not declared by the command (only when `allowUnknownOptions`). */
  extra: Record<string, string>;
}

/** One `robofm` command. `name` may have words (`bench torch`). */
export interface Command {
  name: string;
  summary: string;
  description?: string;
  positionals?: PositionalSpec[];
  options?: Record<string, OptionSpec>;
  allowUnknownOptions?: boolean;
  examples?: string[];
  /** Returns the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | undefined> | number | undefined;
}

export function helpText(cmd: Command): string {
  const pos = (cmd.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)).join(' ');
  const lines = [`Usage: robofm ${cmd.name}${pos ? ` ${pos}` : ''} [options]`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  if (cmd.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.help}`);
  }
  lines.push('', 'Options:');
  const opts = {
    ...(cmd.options ?? {}),
    help: { type: 'boolean', help: 'show this help', short: 'h' } as OptionSpec,
  };
  for (const [name, o] of Object.entries(opts)) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'boolean' ? '' : ` <${o.choices ? o.choices.join('|') : o.type}>`}`;
    const def = o.default !== undefined && o.type !== 'boolean' ? ` (default: ${o.default})` : '';
    lines.push(`  ${flag.padEnd(32)} ${o.help}${def}`);
  }
  if (cmd.allowUnknownOptions)
    lines.push(`  ${'--<key>=<value>'.padEnd(32)} any other setting (see the command's description)`);
  if (cmd.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of cmd.examples) lines.push(`  ${e}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Parses argv for `cmd`; throws ValidationError naming the flag on bad input. */
export function parseCommandArgs(cmd: Command, argv: string[]): CommandContext & { help: boolean } {
  const specs = cmd.options ?? {};
  const parseOpts: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(specs)) {
    parseOpts[name] = {
      type: o.type === 'boolean' ? 'boolean' : 'string',
      ...(o.short ? { short: o.short } : {}),
    };
  }
  const extra: Record<string, string> = {};
  let args = argv;
  if (cmd.allowUnknownOptions) {
    args = [];
    for (const a of argv) {
      const m = /^--([A-Za-z0-9_.-]+)=(.*)$/s.exec(a);
      if (m && !(m[1] in parseOpts)) extra[m[1]] = m[2];
      else args.push(a);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: parseOpts, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ValidationError(
      'arguments',
      argv.join(' '),
      `valid options for 'robofm ${cmd.name}' (${(e as Error).message}); see --help`,
    );
  }
  const options: OptionValues = {};
  for (const [name, o] of Object.entries(specs)) {
    const raw = parsed.values[name];
    if (raw === undefined) {
      options[name] = o.default;
      continue;
    }
    if (o.type === 'number') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) throw new ValidationError(`--${name}`, raw, 'a number');
      options[name] = n;
    } else if (o.type === 'string') {
      if (o.choices && !o.choices.includes(raw as string)) {
        throw new ValidationError(`--${name}`, raw, `one of ${o.choices.join(', ')}`);
      }
      options[name] = raw as string;
    } else options[name] = raw as boolean;
  }
  const positionals = parsed.positionals;
  const help = Boolean(parsed.values.help);
  if (!help) {
    const declared = cmd.positionals ?? [];
    declared.forEach((p, i) => {
      if (p.required && positionals[i] === undefined)
        throw new ValidationError(`<${p.name}>`, undefined, `${p.help} (see --help)`);
    });
    if (positionals.length > declared.length) {
      throw new ValidationError(
        'arguments',
        positionals.slice(declared.length).join(' '),
        `at most ${declared.length} positional argument(s) for 'robofm ${cmd.name}'`,
      );
    }
  }
  return { positionals, options, extra, help };
}

/**
 * A command's result: the human text on stdout, or with `--json` the text on stderr and the JSON
 * line last on stdout (what other tools parse).
 */
export function writeResult(text: string, json: unknown, asJson: boolean): void {
  if (asJson) {
    process.stderr.write(text);
    process.stdout.write(`${typeof json === 'string' ? json : JSON.stringify(json)}\n`);
  } else process.stdout.write(text);
}
