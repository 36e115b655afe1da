import { type ActionChunk, chunkRow, ValidationError } from '@robofm/core';

/**
 * Chunk schedulers: which action of which chunk the robot executes at each control step, and when
 * to ask the policy for the next chunk. Time is counted in control steps; a chunk computed from the
 * observation of step `obsStep` holds the actions for steps `obsStep, obsStep + 1, …` (row i ↔
 * step obsStep + i), so actions whose step has passed by the time the chunk arrives are stale.
 *
 * - `sync`: execute `executeSteps` actions, then stop and wait for the next chunk (the robot holds
 *   while the request is in flight; the chunk starts when it arrives).
 * - `async`: ask for the next chunk while the queue still has `threshold` actions (the threshold
 *   grows with the measured round trip), keep executing the old chunk meanwhile, and on arrival
 *   drop the new chunk's stale rows and switch to it.
 * - `rtc` (real-time chunking): like async, but on arrival the actions already committed (the
 *   stale rows, executed from the old chunk, plus `freezeSteps` more) are frozen, and the overlap
 *   of the old and the new chunk is blended with RTC's soft mask, so the motion has no jump.
 */
export type SchedulerKind = 'sync' | 'async' | 'rtc';
export const SCHEDULER_KINDS: readonly SchedulerKind[] = ['sync', 'async', 'rtc'];

export interface SchedulerOptions {
  /** sync: actions executed per chunk before asking again (default: the whole chunk). */
  executeSteps?: number;
  /** async/rtc: ask for the next chunk when at most this many actions remain (default 4). */
  threshold?: number;
  /** async/rtc: extra steps of margin added to the measured round trip (default 2). */
  marginSteps?: number;
  /** rtc: actions after the arrival step kept from the old chunk unchanged (default 1). */
  freezeSteps?: number;
  /** rtc: extra steps requested early so old and new chunk overlap by about this much (default 8). */
  blendSteps?: number;
  /** Control rate, Hz (to turn the measured round trip into steps). */
  controlHz: number;
}

export interface ChunkScheduler {
  readonly kind: SchedulerKind;
  /** Forget queued actions (new episode, or after a fallback). */
  reset(): void;
  /** Whether the loop should send an observation now (the loop never has two requests in flight). */
  shouldRequest(step: number): boolean;
  /** Action for control step `step` (a view), or null when nothing is queued: the loop holds. */
  actionAt(step: number): Float32Array | null;
  /** A chunk computed from the observation of step `obsStep` arrived at step `step`. */
  accept(chunk: ActionChunk, obsStep: number, step: number): void;
  /** Queued actions for steps ≥ `step`. */
  remaining(step: number): number;
  /** The loop reports each measured round trip (seconds) so thresholds can adapt. */
  observeLatency(seconds: number): void;
}

/** A queue of future actions indexed by absolute control step: rows[i] is for step start + i. */
class StepQueue {
  start = 0;
  rows: Float32Array[] = [];

  get end(): number {
    return this.start + this.rows.length;
  }
  at(step: number): Float32Array | null {
    const i = step - this.start;
    return i >= 0 && i < this.rows.length ? this.rows[i] : null;
  }
  remaining(step: number): number {
    return Math.max(0, this.end - Math.max(step, this.start));
  }
  set(start: number, rows: Float32Array[]): void {
    this.start = start;
    this.rows = rows;
  }
  clear(): void {
    this.rows = [];
  }
}

function rowsOf(chunk: ActionChunk, from = 0, to = chunk.horizon): Float32Array[] {
  const out: Float32Array[] = [];
  for (let t = from; t < Math.min(to, chunk.horizon); t++) out.push(chunkRow(chunk, t));
  return out;
}

function checkChunk(chunk: ActionChunk): void {
  if (!(chunk.horizon > 0) || chunk.actions.length !== chunk.horizon * chunk.actionDim) {
    throw new ValidationError(
      'chunk.actions',
      chunk.actions,
      `horizon × actionDim = ${chunk.horizon} × ${chunk.actionDim} values`,
    );
  }
}

export class SyncScheduler implements ChunkScheduler {
  readonly kind = 'sync' as const;
  private readonly q = new StepQueue();
  constructor(private readonly opts: SchedulerOptions) {}
  reset(): void {
    this.q.clear();
  }
  shouldRequest(step: number): boolean {
    return this.q.remaining(step) === 0;
  }
  actionAt(step: number): Float32Array | null {
    return this.q.at(step);
  }
  accept(chunk: ActionChunk, _obsStep: number, step: number): void {
    checkChunk(chunk);
    // The robot waited for this chunk: it starts now, from its first row.
    this.q.set(step, rowsOf(chunk, 0, this.opts.executeSteps ?? chunk.horizon));
  }
  remaining(step: number): number {
    return this.q.remaining(step);
  }
  observeLatency(): void {}
}

/** Async: overlap inference with execution; on arrival drop stale rows and switch. */
export class AsyncScheduler implements ChunkScheduler {
  readonly kind: SchedulerKind = 'async';
  protected readonly q = new StepQueue();
  /** Exponential moving average of the round trip, seconds. */
  protected latencyS = 0;
  constructor(protected readonly opts: SchedulerOptions) {}
  reset(): void {
    this.q.clear();
  }
  /** Current request threshold in steps: max(threshold, round trip in steps + margin). */
  threshold(): number {
    const rttSteps = Math.ceil(this.latencyS * this.opts.controlHz);
    return Math.max(this.opts.threshold ?? 4, rttSteps + (this.opts.marginSteps ?? 2));
  }
  shouldRequest(step: number): boolean {
    return this.q.remaining(step) <= this.threshold();
  }
  actionAt(step: number): Float32Array | null {
    return this.q.at(step);
  }
  accept(chunk: ActionChunk, obsStep: number, step: number): void {
    checkChunk(chunk);
    const stale = Math.max(0, step - obsStep);
    this.q.set(step, rowsOf(chunk, stale));
  }
  remaining(step: number): number {
    return this.q.remaining(step);
  }
  observeLatency(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.latencyS = this.latencyS === 0 ? seconds : 0.7 * this.latencyS + 0.3 * seconds;
  }
}

/** RTC's soft mask: weight of the old chunk at overlap index k of L (1 → 0, exponential). */
export function rtcOldWeight(k: number, overlap: number): number {
  const c = 1 - (k + 1) / (overlap + 1);
  return (c * (Math.exp(c) - 1)) / (Math.E - 1);
}

/** Real-time chunking: freeze committed actions, blend the overlap of old and new chunk. */
export class RtcScheduler extends AsyncScheduler {
  override readonly kind: SchedulerKind = 'rtc';
  /** Ask early enough that the new chunk still overlaps the old one by ~blendSteps. */
  override threshold(): number {
    return super.threshold() + (this.opts.freezeSteps ?? 1) + (this.opts.blendSteps ?? 8);
  }
  override accept(chunk: ActionChunk, obsStep: number, step: number): void {
    checkChunk(chunk);
    const freeze = this.opts.freezeSteps ?? 1;
    const oldEnd = this.q.end;
    const out: Float32Array[] = [];
    const newEnd = obsStep + chunk.horizon;
    const blendFrom = step + freeze;
    const overlap = Math.max(0, Math.min(oldEnd, newEnd) - blendFrom);
    for (let s = step; s < Math.max(newEnd, Math.min(oldEnd, blendFrom)); s++) {
      const old = this.q.at(s);
      const fresh = s >= obsStep && s < newEnd ? chunkRow(chunk, s - obsStep) : null;
      if (old && (s < blendFrom || !fresh)) {
        out.push(old); // frozen: already handed to the low level
      } else if (old && fresh) {
        const w = rtcOldWeight(s - blendFrom, overlap);
        const row = new Float32Array(fresh.length);
        for (let j = 0; j < row.length; j++) row[j] = w * old[j] + (1 - w) * fresh[j];
        out.push(row);
      } else if (fresh) {
        out.push(fresh);
      } else break;
    }
    this.q.set(step, out);
  }
}

export function createScheduler(kind: SchedulerKind, opts: SchedulerOptions): ChunkScheduler {
  if (!(opts.controlHz > 0))
    throw new ValidationError('scheduler.controlHz', opts.controlHz, 'a positive number');
  for (const k of ['executeSteps', 'threshold', 'marginSteps', 'freezeSteps', 'blendSteps'] as const) {
    const v = opts[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0))
      throw new ValidationError(`scheduler.${k}`, v, 'a non-negative integer');
  }
  switch (kind) {
    case 'sync':
      return new SyncScheduler(opts);
    case 'async':
      return new AsyncScheduler(opts);
    case 'rtc':
      return new RtcScheduler(opts);
    default:
      throw new ValidationError('scheduler', kind, `one of ${SCHEDULER_KINDS.join(', ')}`);
  }
}
