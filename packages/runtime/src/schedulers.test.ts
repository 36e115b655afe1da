import type { ActionChunk } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { createScheduler, rtcOldWeight } from './schedulers.ts';

/** A 1-D chunk whose row i holds value base + i (so rows are easy to recognise). */
function chunk(base: number, horizon = 10): ActionChunk {
  return {
    actions: Float32Array.from({ length: horizon }, (_, i) => base + i),
    horizon,
    actionDim: 1,
    timing: { inferMs: 0 },
  };
}

const val = (a: Float32Array | null) => (a ? a[0] : null);

describe('sync scheduler', () => {
  it('asks only when the queue is empty and runs each chunk from its arrival step', () => {
    const s = createScheduler('sync', { controlHz: 50, executeSteps: 5 });
    expect(s.shouldRequest(0)).toBe(true);
    expect(s.actionAt(0)).toBeNull(); // waiting: the loop holds
    s.accept(chunk(100), 0, 3); // obs at 0, arrived at 3: starts at row 0 anyway
    expect(val(s.actionAt(3))).toBe(100);
    expect(val(s.actionAt(7))).toBe(104);
    expect(s.actionAt(8)).toBeNull(); // executeSteps = 5
    expect(s.shouldRequest(6)).toBe(false);
    expect(s.shouldRequest(8)).toBe(true);
  });
});

describe('async scheduler', () => {
  it('asks while the queue still holds `threshold` actions and drops stale rows', () => {
    const s = createScheduler('async', { controlHz: 50, threshold: 3, marginSteps: 0 });
    s.accept(chunk(0), 0, 0);
    expect(s.shouldRequest(6)).toBe(false); // 4 left
    expect(s.shouldRequest(7)).toBe(true); // 3 left
    // Observation of step 7; the answer arrives at step 9: rows 0 and 1 are stale.
    s.accept(chunk(200), 7, 9);
    expect(val(s.actionAt(9))).toBe(202);
    expect(val(s.actionAt(16))).toBe(209);
    expect(s.actionAt(17)).toBeNull();
    expect(s.remaining(9)).toBe(8);
  });

  it('raises the threshold to cover the measured round trip', () => {
    const s = createScheduler('async', { controlHz: 50, threshold: 2, marginSteps: 2 });
    s.accept(chunk(0, 50), 0, 0);
    expect(s.shouldRequest(45)).toBe(false); // 5 left > threshold 2
    s.observeLatency(0.2); // 10 steps
    expect(s.shouldRequest(37)).toBe(false); // 13 left
    expect(s.shouldRequest(38)).toBe(true); // 12 left ≤ 10 + 2
  });

  it('holds (null) when a chunk arrives entirely stale', () => {
    const s = createScheduler('async', { controlHz: 50 });
    s.accept(chunk(0, 5), 0, 8);
    expect(s.actionAt(8)).toBeNull();
    expect(s.shouldRequest(8)).toBe(true);
  });
});

describe('rtc scheduler', () => {
  it('soft mask falls from ~1 to 0 monotonically', () => {
    const w = Array.from({ length: 8 }, (_, k) => rtcOldWeight(k, 8));
    expect(w[0]).toBeGreaterThan(0.7);
    expect(w[7]).toBeGreaterThanOrEqual(0);
    expect(w[7]).toBeLessThan(0.05);
    for (let k = 1; k < w.length; k++) expect(w[k]).toBeLessThan(w[k - 1]);
  });

  it('freezes committed actions and blends the overlap instead of jumping', () => {
    const H = 20;
    const old = chunk(0, H); // values 0..19 for steps 0..19
    // The new chunk disagrees by +10 everywhere (a different plan).
    const fresh = chunk(10, H); // for steps 12..31 → values 10..29, i.e. old value − 2 at the same step
    const rtc = createScheduler('rtc', { controlHz: 50, freezeSteps: 2 });
    const asy = createScheduler('async', { controlHz: 50 });
    for (const s of [rtc, asy]) s.accept(old, 0, 0);
    for (const s of [rtc, asy]) s.accept(fresh, 12, 14);
    // Frozen: steps 14, 15 are exactly the old chunk.
    expect(val(rtc.actionAt(14))).toBe(14);
    expect(val(rtc.actionAt(15))).toBe(15);
    // Async switched at once (jump from old 13 → fresh row 2 = 12).
    expect(val(asy.actionAt(14))).toBe(12);
    // Blended overlap stays between the two plans and ends on the new one.
    for (let s = 16; s < 20; s++) {
      const v = val(rtc.actionAt(s))!;
      expect(v).toBeLessThanOrEqual(s + 1e-6);
      expect(v).toBeGreaterThanOrEqual(s - 2 - 1e-6);
    }
    expect(val(rtc.actionAt(20))).toBe(18);
    expect(val(rtc.actionAt(31))).toBe(29);
    expect(rtc.actionAt(32)).toBeNull();
    // RTC's largest step-to-step change is smaller than async's jump at the switch.
    let maxJumpRtc = 0;
    for (let s = 14; s < 31; s++)
      maxJumpRtc = Math.max(maxJumpRtc, Math.abs(val(rtc.actionAt(s + 1))! - val(rtc.actionAt(s))!));
    expect(maxJumpRtc).toBeLessThan(1.5);
  });
});

describe('createScheduler', () => {
  it('names the bad field', () => {
    expect(() => createScheduler('fast' as never, { controlHz: 50 })).toThrow(
      /scheduler: got "fast", expected one of sync, async, rtc/,
    );
    expect(() => createScheduler('async', { controlHz: 0 })).toThrow(/scheduler.controlHz/);
    expect(() => createScheduler('async', { controlHz: 50, threshold: -1 })).toThrow(/scheduler.threshold/);
  });
});
