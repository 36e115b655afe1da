import { describe, expect, it } from 'vitest';
import { type Command, helpText, parseCommandArgs } from './command.ts';

const cmd: Command = {
  name: 'demo thing',
  summary: 'a test command',
  positionals: [{ name: 'dir', help: 'a directory', required: true }],
  options: {
    steps: { type: 'number', help: 'steps', default: 3 },
    mode: { type: 'string', help: 'mode', choices: ['a', 'b'], default: 'a' },
    json: { type: 'boolean', help: 'json' },
  },
  run: () => 0,
};

describe('parseCommandArgs', () => {
  it('parses numbers, choices and defaults', () => {
    const c = parseCommandArgs(cmd, ['x', '--steps', '7', '--json']);
    expect(c.positionals).toEqual(['x']);
    expect(c.options).toEqual({ steps: 7, mode: 'a', json: true });
  });
  it('names the flag and the value on bad input', () => {
    expect(() => parseCommandArgs(cmd, ['x', '--steps', 'many'])).toThrow(
      /--steps: got "many", expected a number/,
    );
    expect(() => parseCommandArgs(cmd, ['x', '--mode', 'c'])).toThrow(
      /--mode: got "c", expected one of a, b/,
    );
    expect(() => parseCommandArgs(cmd, ['--steps', '1'])).toThrow(/<dir>/);
    expect(() => parseCommandArgs(cmd, ['x', '--nope'])).toThrow(/arguments/);
  });
  it('collects --key=value overrides when allowed', () => {
    const c = parseCommandArgs({ ...cmd, allowUnknownOptions: true }, ['x', '--lr=0.1', '--steps=2']);
    expect(c.extra).toEqual({ lr: '0.1' });
    expect(c.options.steps).toBe(2);
  });
  it('renders help with every option', () => {
    const h = helpText(cmd);
    expect(h).toContain('Usage: robofm demo thing <dir>');
    expect(h).toContain('--steps <number>');
    expect(h).toContain('--help');
  });
});
