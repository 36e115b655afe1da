/**
 * Errors with stable codes. Every error robofm throws on purpose is a `RobofmError` (or a subclass)
 * so callers can branch on `code`, servers can map it to a status, and messages name what was wrong.
 */
export class RobofmError extends Error {
  readonly code: string;
  /** HTTP status a server should answer with when this error reaches it. */
  readonly status: number;

  constructor(code: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RobofmError';
    this.code = code;
    this.status = options?.status ?? 500;
  }
}

/** Bad input: names the field, the value received and what was expected. */
export class ValidationError extends RobofmError {
  readonly field: string;
  readonly expected: string;

  constructor(field: string, value: unknown, expected: string, options?: { cause?: unknown; code?: string }) {
    super(
      options?.code ?? 'invalid_argument',
      `${field}: got ${describeValue(value)}, expected ${expected}`,
      { cause: options?.cause, status: 400 },
    );
    this.name = 'ValidationError';
    this.field = field;
    this.expected = expected;
  }
}

/** Short, safe description of any value for error messages (never dumps huge arrays). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return value.length > 80 ? JSON.stringify(`${value.slice(0, 77)}...`) : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (ArrayBuffer.isView(value)) {
    const ctor = (value as object).constructor.name;
    const len = 'length' in value ? (value as unknown as { length: number }).length : value.byteLength;
    return `${ctor}(length ${len})`;
  }
  if (Array.isArray(value)) return `array(length ${value.length})`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return `object{${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}}`;
  }
  return typeof value;
}
