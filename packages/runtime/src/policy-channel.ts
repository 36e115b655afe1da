import type { ActionChunk, Observation, Policy } from '@robofm/core';
import { type FaultSpec, inOutage, rng, validateFaults } from './faults.ts';

export type ChannelEvent =
  | { ok: true; chunk: ActionChunk; obsStep: number; rttS: number }
  | { ok: false; reason: string; obsStep: number; error?: unknown; waitedS?: number };

export type ClockKind = 'realtime' | 'virtual';

export interface PolicyChannelOptions {
  clock: ClockKind;
  /** A request not answered within this many seconds counts as failed ('deadline'). */
  deadlineS: number;
  /** Virtual clock only: network faults applied in virtual time (real time uses the FaultProxy). */
  faults?: FaultSpec;
}

/**
 * At most one request in flight to a Policy, with a deadline, on either clock.
 * - realtime: `infer` runs in the background; `poll(now)` (wall seconds) reports its answer, or a
 *   'deadline' failure once `deadlineS` passed (a late answer is then ignored).
 * - virtual: `request` awaits `infer` (wall time does not count), and the answer becomes visible at
 *   `now + latency ± jitter` virtual seconds; drops and outages make it fail at the deadline.
 */
export class PolicyChannel {
  private id = 0;
  private pending: { id: number; obsStep: number; issuedAt: number } | null = null;
  private ready: { ev: ChannelEvent; at: number } | null = null;
  private readonly rand: () => number;
  requests = 0;
  failures = 0;

  constructor(
    readonly policy: Policy,
    private readonly opts: PolicyChannelOptions,
  ) {
    if (opts.faults) validateFaults(opts.faults);
    this.rand = rng(opts.faults?.seed ?? 1);
  }

  get inFlight(): boolean {
    return this.pending !== null;
  }

  /** Seconds the current request has been waiting (0 when none). */
  waiting(now: number): number {
    return this.pending ? now - this.pending.issuedAt : 0;
  }

  async request(obs: Observation, obsStep: number, now: number): Promise<void> {
    if (this.pending) throw new Error('PolicyChannel.request: a request is already in flight');
    const id = ++this.id;
    this.pending = { id, obsStep, issuedAt: now };
    this.ready = null;
    this.requests++;
    if (this.opts.clock === 'realtime') {
      const wallAtIssue = performance.now() / 1000;
      this.policy.infer(obs).then(
        (chunk) => {
          if (this.pending?.id !== id) return; // abandoned after its deadline
          const rttS = performance.now() / 1000 - wallAtIssue;
          this.ready = { ev: { ok: true, chunk, obsStep, rttS }, at: 0 };
        },
        (error: unknown) => {
          if (this.pending?.id !== id) return;
          this.ready = { ev: { ok: false, reason: reasonOf(error), obsStep, error }, at: 0 };
        },
      );
      return;
    }
    const f = this.opts.faults ?? {};
    const half = (f.latencyMs ?? 0) / 2000;
    const jit = () => ((this.rand() * 2 - 1) * (f.jitterMs ?? 0)) / 1000;
    const arriveServer = now + Math.max(0, half + jit());
    const lost =
      (f.dropProb ?? 0) > 0 && this.rand() < (f.dropProb ?? 0)
        ? 'dropped'
        : inOutage(f.outages, now) || inOutage(f.outages, arriveServer)
          ? 'outage'
          : null;
    if (lost) {
      this.ready = { ev: { ok: false, reason: 'deadline', obsStep }, at: now + this.opts.deadlineS };
      return;
    }
    try {
      const chunk = await this.policy.infer(obs);
      const back = arriveServer + Math.max(0, half + jit());
      if (inOutage(f.outages, back)) {
        this.ready = { ev: { ok: false, reason: 'deadline', obsStep }, at: now + this.opts.deadlineS };
      } else if (back - now > this.opts.deadlineS) {
        this.ready = { ev: { ok: false, reason: 'deadline', obsStep }, at: now + this.opts.deadlineS };
      } else {
        this.ready = { ev: { ok: true, chunk, obsStep, rttS: back - now }, at: back };
      }
    } catch (error) {
      this.ready = { ev: { ok: false, reason: reasonOf(error), obsStep, error }, at: now };
    }
  }

  /** The answer to the request in flight, once visible at `now`; else null. */
  poll(now: number): ChannelEvent | null {
    if (!this.pending) return null;
    if (this.ready && now >= this.ready.at) {
      const ev = this.ready.ev;
      if (!ev.ok) ev.waitedS = now - this.pending.issuedAt;
      this.pending = null;
      this.ready = null;
      if (!ev.ok) this.failures++;
      return ev;
    }
    if (this.opts.clock === 'realtime' && now - this.pending.issuedAt > this.opts.deadlineS) {
      const { obsStep, issuedAt } = this.pending;
      this.pending = null;
      this.ready = null;
      this.failures++;
      return { ok: false, reason: 'deadline', obsStep, waitedS: now - issuedAt };
    }
    return null;
  }

  /** Forget the request in flight (its answer will be ignored). */
  cancel(): void {
    this.pending = null;
    this.ready = null;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
