/**
 * Structured logger: one line per event on stderr, `key=value` pretty form by default or JSON lines
 * with ROBOFM_LOG_FORMAT=json. Level from ROBOFM_LOG_LEVEL (debug|info|warn|error|silent).
 * Library code logs through this, never bare console.log.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LogSink {
  write(line: string): void;
}

export class Logger {
  constructor(
    readonly bindings: Record<string, unknown> = {},
    readonly level: LogLevel = (process.env.ROBOFM_LOG_LEVEL as LogLevel) || 'info',
    private readonly sink: LogSink = { write: (l) => process.stderr.write(l) },
    private readonly json: boolean = process.env.ROBOFM_LOG_FORMAT === 'json',
  ) {}

  child(bindings: Record<string, unknown>): Logger {
    return new Logger({ ...this.bindings, ...bindings }, this.level, this.sink, this.json);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const rec = { time: new Date().toISOString(), level, msg, ...this.bindings, ...fields };
    if (this.json) {
      this.sink.write(`${JSON.stringify(rec, errorReplacer)}\n`);
      return;
    }
    const extra = Object.entries({ ...this.bindings, ...fields })
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, errorReplacer)}`)
      .join(' ');
    this.sink.write(`${rec.time} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ''}\n`);
  }
}

function errorReplacer(_k: string, v: unknown): unknown {
  if (v instanceof Error) return { name: v.name, message: v.message, code: (v as { code?: unknown }).code };
  if (typeof v === 'bigint') return v.toString();
  return v;
}

export const logger = new Logger();
