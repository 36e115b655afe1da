import { RobofmError } from '@robofm/core';

export interface ApiKeySpec {
  key: string;
  /** Human name for logs/metrics (never the key itself). */
  name?: string;
  /** Sustained requests per second allowed for this key (default: unlimited). */
  ratePerSec?: number;
  /** Bucket size: requests allowed in a burst (default: max(1, ratePerSec)). */
  burst?: number;
}

interface Bucket {
  spec: ApiKeySpec;
  tokens: number;
  last: number;
}

/**
 * API keys (`Authorization: Api-Key <key>`) and per-key token-bucket rate limits. With no keys
 * configured every request is allowed (open server, as openpi's is).
 */
export class ApiKeyAuth {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    keys: ApiKeySpec[] = [],
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const k of keys) {
      if (!k.key)
        throw new RobofmError('invalid_argument', 'api key: got an empty key, expected a non-empty string');
      this.buckets.set(k.key, {
        spec: k,
        tokens: k.burst ?? Math.max(1, k.ratePerSec ?? 1),
        last: this.now(),
      });
    }
  }

  get enabled(): boolean {
    return this.buckets.size > 0;
  }

  /**
   * Returns the key's name (or 'anonymous' when auth is off); throws `unauthenticated` (401) for a
   * missing/unknown key.
   */
  authenticate(header: string | string[] | undefined): string {
    if (!this.enabled) return 'anonymous';
    const h = Array.isArray(header) ? header[0] : header;
    const m = h ? /^\s*(?:Api-Key|Bearer)\s+(\S+)\s*$/i.exec(h) : null;
    if (!m)
      throw new RobofmError(
        'unauthenticated',
        `Authorization: got ${h ? 'a header without an API key' : 'none'}, expected "Api-Key <key>"`,
        { status: 401 },
      );
    const b = this.buckets.get(m[1]);
    if (!b)
      throw new RobofmError(
        'unauthenticated',
        'Authorization: got an unknown API key, expected a configured key',
        { status: 401 },
      );
    return b.spec.name ?? `key-${m[1].slice(0, 4)}…`;
  }

  /** Takes one token for the key in `header`; throws `rate_limited` (429) when the bucket is empty. */
  take(header: string | string[] | undefined): void {
    if (!this.enabled) return;
    const h = Array.isArray(header) ? header[0] : header;
    const m = h ? /^\s*(?:Api-Key|Bearer)\s+(\S+)\s*$/i.exec(h) : null;
    const b = m ? this.buckets.get(m[1]) : undefined;
    if (!b) {
      this.authenticate(header);
      return;
    }
    const rate = b.spec.ratePerSec;
    if (rate === undefined || !(rate > 0)) return;
    const burst = b.spec.burst ?? Math.max(1, rate);
    const t = this.now();
    b.tokens = Math.min(burst, b.tokens + ((t - b.last) / 1000) * rate);
    b.last = t;
    if (b.tokens < 1)
      throw new RobofmError(
        'rate_limited',
        `rate limit for key ${b.spec.name ?? 'unnamed'}: got more than ${rate} requests/s (burst ${burst}), expected at most that`,
        { status: 429 },
      );
    b.tokens -= 1;
  }
}

/** Parses `KEY[:RATE[:BURST]][@NAME]`, comma-separated (CLI flag / ROBOFM_API_KEYS). */
export function parseApiKeys(spec: string | undefined): ApiKeySpec[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [body, name] = s.split('@');
      const [key, rate, burst] = body.split(':');
      const out: ApiKeySpec = { key };
      if (name) out.name = name;
      if (rate !== undefined) {
        const r = Number(rate);
        if (!(r > 0))
          throw new RobofmError(
            'invalid_argument',
            `api key rate: got ${JSON.stringify(rate)}, expected a positive number`,
            { status: 400 },
          );
        out.ratePerSec = r;
      }
      if (burst !== undefined) {
        const b = Number(burst);
        if (!(b >= 1))
          throw new RobofmError(
            'invalid_argument',
            `api key burst: got ${JSON.stringify(burst)}, expected a number >= 1`,
            { status: 400 },
          );
        out.burst = b;
      }
      return out;
    });
}
