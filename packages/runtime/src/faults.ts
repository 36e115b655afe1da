import { ValidationError } from '@robofm/core';

/** A window in which the network is down: from `atS` for `durationS` seconds (episode/proxy time). */
export interface Outage {
  atS: number;
  durationS: number;
}

/** Network faults to inject (by the loopback FaultProxy in real time, by PolicyChannel on a virtual clock). */
export interface FaultSpec {
  /** Added round trip, ms (half on the way out, half on the way back). */
  latencyMs?: number;
  /** Uniform ± jitter per message, ms (message order is kept, as TCP keeps it). */
  jitterMs?: number;
  /** Probability that one message is lost. */
  dropProb?: number;
  outages?: Outage[];
  /** Seed of the jitter/drop random stream. */
  seed?: number;
}

/** Parses `200ms`, `0.2s`, `3s`, `1.5` (seconds) or `250` with unit `ms` default → milliseconds. */
export function parseDurationMs(field: string, text: string, defaultUnit: 'ms' | 's' = 'ms'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) throw new ValidationError(field, text, "a duration like '200ms', '3s' or '1.5s'");
  const v = Number(m[1]);
  const unit = m[2] ?? defaultUnit;
  return unit === 'ms' ? v : unit === 's' ? v * 1000 : v * 60_000;
}

/** Parses `3s@5s` (3 s outage starting at 5 s); several separated by commas. */
export function parseOutages(field: string, text: string): Outage[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((part) => {
      const [dur, at] = part.split('@');
      if (at === undefined) throw new ValidationError(field, text, "outages like '3s@5s' (duration@start)");
      return {
        durationS: parseDurationMs(field, dur, 's') / 1000,
        atS: parseDurationMs(field, at, 's') / 1000,
      };
    });
}

export function validateFaults(f: FaultSpec): FaultSpec {
  const nonNeg = (k: 'latencyMs' | 'jitterMs') => {
    const v = f[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0))
      throw new ValidationError(`faults.${k}`, v, 'a non-negative number of ms');
  };
  nonNeg('latencyMs');
  nonNeg('jitterMs');
  if (f.dropProb !== undefined && !(f.dropProb >= 0 && f.dropProb <= 1))
    throw new ValidationError('faults.dropProb', f.dropProb, 'a probability in [0, 1]');
  for (const [i, o] of (f.outages ?? []).entries()) {
    if (!(o.atS >= 0)) throw new ValidationError(`faults.outages[${i}].atS`, o.atS, 'a non-negative number');
    if (!(o.durationS > 0))
      throw new ValidationError(`faults.outages[${i}].durationS`, o.durationS, 'a positive number');
  }
  return f;
}

export function inOutage(outages: Outage[] | undefined, tS: number): boolean {
  return (outages ?? []).some((o) => tS >= o.atS && tS < o.atS + o.durationS);
}

/** Small deterministic PRNG (mulberry32) for jitter and drops. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Delivers callbacks after given delays strictly in the order they were queued, like bytes on one
 * TCP stream: an item never overtakes the one before it, even with jitter. Runs on its own
 * monotonic clock, so restarting a fault schedule's clock never shifts what is in flight.
 */
export class DelayLane {
  private readonly items: Array<{ at: number; fn: () => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private last = 0;

  /** Queue `fn` to run `delayS` seconds from now (or right after the previous item, if later). */
  push(delayS: number, fn: () => void): void {
    this.last = Math.max(this.last, performance.now() / 1000 + Math.max(0, delayS));
    this.items.push({ at: this.last, fn });
    if (this.items.length === 1) this.pump();
  }

  private pump(): void {
    if (this.timer) return;
    while (this.items.length > 0) {
      const head = this.items[0];
      const ms = (head.at - performance.now() / 1000) * 1000;
      if (ms > 0.5) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, ms);
        return;
      }
      this.items.shift();
      head.fn();
    }
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.items.length = 0;
  }
}
