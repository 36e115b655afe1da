import { type ActionChunk, Logger, type LogSink, type Observation, type Policy } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { ControlLoop } from './control-loop.ts';
import type { SchedulerKind } from './schedulers.ts';
import { ReachWorld } from './testing/reach-world.ts';

function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink: LogSink = { write: (l) => lines.push(l) };
  return { logger: new Logger({}, 'info', sink, true), lines };
}

async function episode(scheduler: SchedulerKind, latencyMs: number, seed = 3) {
  const w = new ReachWorld({ seed });
  const loop = new ControlLoop({
    driver: w.driver,
    policy: w.expert!,
    scheduler,
    clock: 'virtual',
    faults: { latencyMs },
    isDone: () => w.success(),
    maxSeconds: w.timeLimitS,
    logger: new Logger({}, 'silent'),
  });
  return loop.run();
}

describe('ControlLoop on a virtual clock', () => {
  it('every scheduler finishes the task; sync slows with latency, async and rtc barely', async () => {
    const t: Record<string, Record<number, number>> = {};
    for (const s of ['sync', 'async', 'rtc'] as const) {
      t[s] = {};
      for (const lat of [0, 200]) {
        const r = await episode(s, lat);
        expect(r.success, `${s} @ ${lat} ms`).toBe(true);
        expect(r.maxVelFrac).toBeLessThanOrEqual(1);
        expect(r.limitViolations).toBe(0);
        expect(r.switches).toEqual([]);
        t[s][lat] = r.completionS;
      }
    }
    // Sync waits a full round trip per chunk (~6 chunks × 0.2 s).
    expect(t.sync[200] - t.sync[0]).toBeGreaterThan(0.6);
    for (const s of ['async', 'rtc']) expect(t[s][200] / t[s][0], s).toBeLessThan(1.1);
  });

  it('falls back during an outage, logs why, and hands back when the remote answers again', async () => {
    const w = new ReachWorld({ seed: 5, waypoints: 5, timeLimitS: 20 });
    const { logger, lines } = captureLogger();
    const loop = new ControlLoop({
      driver: w.driver,
      policy: w.expert!,
      scheduler: 'rtc',
      clock: 'virtual',
      deadlineS: 0.3,
      faults: { latencyMs: 50, outages: [{ atS: 1, durationS: 3 }] },
      isDone: () => w.success(),
      maxSeconds: 20,
      logger,
    });
    const r = await loop.run();
    expect(r.success).toBe(true);
    expect(r.switches.length).toBeGreaterThanOrEqual(2);
    const [down, up] = r.switches;
    expect(down.to).toBe('fallback');
    expect(down.reason).toMatch(/deadline/);
    // The first request lost to the outage is given up after its 0.3 s deadline (+ < 1 control step).
    expect(down.waitedS).toBeGreaterThanOrEqual(0.3);
    expect(down.waitedS).toBeLessThanOrEqual(0.3 + 1 / 50 + 1e-9);
    expect(down.t - down.waitedS!).toBeGreaterThanOrEqual(1 - 0.3 - 1e-9);
    expect(down.t - down.waitedS!).toBeLessThanOrEqual(1.5);
    expect(up.to).toBe('remote');
    expect(up.t).toBeGreaterThanOrEqual(4);
    expect(up.reason).toMatch(/answered again/);
    expect(r.fallbackSteps).toBeGreaterThan(100);
    expect(r.maxVelFrac).toBeLessThanOrEqual(1);
    expect(r.limitViolations).toBe(0);
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged.some((l) => l.msg.startsWith('fallback engaged') && /deadline/.test(l.reason))).toBe(true);
    expect(logged.some((l) => l.msg === 'remote policy back in control')).toBe(true);
  });

  it('hands control to a local policy when one is given', async () => {
    const w = new ReachWorld({ seed: 2, timeLimitS: 15 });
    // Remote: unreachable from the start. Local: the same expert, run on the robot.
    const dead: Policy = {
      metadata: w.expert!.metadata,
      infer: () => Promise.reject(Object.assign(new Error('down'), { code: 'unreachable' })),
    };
    const loop = new ControlLoop({
      driver: w.driver,
      policy: dead,
      clock: 'virtual',
      fallback: { policy: w.expert },
      isDone: () => w.success(),
      maxSeconds: 15,
      logger: new Logger({}, 'silent'),
    });
    const r = await loop.run();
    expect(r.switches[0]).toMatchObject({ to: 'fallback', reason: 'remote unreachable' });
    expect(r.success).toBe(true); // the local policy did the task
    expect(r.remoteSteps).toBeLessThan(3);
  });

  it('treats a chunk of the wrong width as a failed request', async () => {
    const w = new ReachWorld({ seed: 2 });
    const narrow: Policy = {
      metadata: w.expert!.metadata,
      infer: async () => ({
        actions: new Float32Array(20),
        horizon: 10,
        actionDim: 2,
        timing: { inferMs: 0 },
      }),
    };
    const loop = new ControlLoop({
      driver: w.driver,
      policy: narrow,
      clock: 'virtual',
      maxSeconds: 1,
      logger: new Logger({}, 'silent'),
    });
    const r = await loop.run();
    expect(r.switches[0]).toMatchObject({ to: 'fallback' });
    expect(r.switches[0].reason).toMatch(/invalid chunk \(actionDim 2, expected 3\)/);
    expect(r.limitViolations).toBe(0);
  });

  it('retreats slowly toward home without a local policy', async () => {
    const w = new ReachWorld({ seed: 4 });
    const n = w.driver.spec.joints.length;
    w.driver.q.set([0.5, -0.5, 0.5].slice(0, n));
    const dead: Policy = {
      metadata: w.expert!.metadata,
      infer: () => Promise.reject(Object.assign(new Error('down'), { code: 'unreachable' })),
    };
    const loop = new ControlLoop({
      driver: w.driver,
      policy: dead,
      clock: 'virtual',
      fallback: { mode: 'retreat', home: new Float64Array(n), retreatVelFrac: 0.2 },
      maxSeconds: 4,
      logger: new Logger({}, 'silent'),
    });
    const r = await loop.run();
    expect(r.success).toBe(false);
    for (let i = 0; i < n; i++) expect(Math.abs(w.driver.q[i])).toBeLessThan(0.02);
    expect(r.maxVelFrac).toBeLessThanOrEqual(0.25);
  });

  it('e-stop ends the episode holding position', async () => {
    const w = new ReachWorld({ seed: 1 });
    let loop: ControlLoop | null = null;
    const pressesButton: Policy = {
      metadata: w.expert!.metadata,
      infer: async (obs: Observation): Promise<ActionChunk> => {
        if (obs.timestamp! > 0.5) loop!.estop('operator');
        return w.expert!.infer(obs);
      },
    };
    loop = new ControlLoop({
      driver: w.driver,
      policy: pressesButton,
      clock: 'virtual',
      maxSeconds: 10,
      logger: new Logger({}, 'silent'),
    });
    const r = await loop.run();
    expect(r.estopped).toBe(true);
    expect(r.success).toBe(false);
    expect(r.completionS).toBeLessThan(1.5);
  });
});
