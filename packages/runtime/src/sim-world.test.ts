import { Logger } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { ControlLoop } from './control-loop.ts';
import { simWorld } from './sim-world.ts';
import { SinePolicy } from './testing/sine-policy.ts';

// The runtime on MuJoCo bodies (SimDriver, torque mode, the runtime's PD at 500 Hz), virtual clock.
describe('runtime on the MuJoCo SimDriver', () => {
  for (const embodiment of ['arm6', 'bimanual', 'mobile']) {
    it(`${embodiment}: outage → hold → handback, within every limit`, async () => {
      const w = (await simWorld({ embodiment, seed: 3, cameras: [] }))!;
      try {
        const policy = new SinePolicy(w.driver.spec, w.driver.read().q);
        const loop = new ControlLoop({
          driver: w.driver,
          policy,
          scheduler: 'rtc',
          clock: 'virtual',
          deadlineS: 0.3,
          faults: { latencyMs: 100, outages: [{ atS: 1, durationS: 1.5 }] },
          workspace: w.workspace,
          maxSeconds: 4,
          logger: new Logger({}, 'silent'),
        });
        const r = await loop.run();
        expect(r.switches.map((s) => s.to)).toEqual(['fallback', 'remote']);
        expect(r.switches[0].waitedS).toBeLessThanOrEqual(0.3 + 1 / w.driver.spec.controlHz + 1e-9);
        expect(r.switches[1].t).toBeGreaterThanOrEqual(2.5);
        expect(r.maxVelFrac).toBeLessThanOrEqual(1);
        expect(r.maxTauFrac).toBeLessThanOrEqual(1);
        expect(r.limitViolations).toBe(0);
        const q = w.driver.read().q;
        w.driver.spec.joints.forEach((j, i) => {
          expect(q[i]).toBeGreaterThanOrEqual(j.lower - 0.02);
          expect(q[i]).toBeLessThanOrEqual(j.upper + 0.02);
        });
      } finally {
        w.dispose();
      }
    });
  }
});

describe('MuJoCo reach world (runtime bench world)', () => {
  it('arm6: every scheduler reaches all points at 0 and 200 ms; sync slows, async/rtc barely', async () => {
    const { simReachWorld } = await import('./sim-reach.ts');
    const t: Record<string, number[]> = {};
    for (const scheduler of ['sync', 'async', 'rtc'] as const) {
      t[scheduler] = [];
      for (const latencyMs of [0, 200]) {
        const w = await simReachWorld({ embodiment: 'arm6', seed: 0 });
        try {
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
          const r = await loop.run();
          expect(r.success, `${scheduler} @ ${latencyMs} ms`).toBe(true);
          expect(r.maxVelFrac).toBeLessThanOrEqual(1);
          expect(r.limitViolations).toBe(0);
          t[scheduler].push(r.completionS);
        } finally {
          w.dispose();
        }
      }
    }
    expect(t.sync[1] - t.sync[0]).toBeGreaterThan(0.5);
    for (const s of ['async', 'rtc']) expect(t[s][1] / t[s][0], s).toBeLessThan(1.15);
  });
});

describe('workspace box on MuJoCo (targets checked by the sim’s forward kinematics)', () => {
  it('hand: targets that would drive it into the table are rejected', async () => {
    const run = async (useBox: boolean) => {
      const w = (await simWorld({ embodiment: 'hand', seed: 1, cameras: [] }))!;
      try {
        expect(w.workspace).toBeDefined();
        const loop = new ControlLoop({
          driver: w.driver,
          policy: new SinePolicy(w.driver.spec, w.driver.read().q, { amplitude: 0.3 }),
          scheduler: 'rtc',
          clock: 'virtual',
          workspace: useBox ? w.workspace : undefined,
          maxSeconds: 4,
          logger: new Logger({}, 'silent'),
        });
        const r = await loop.run();
        return { r, rejects: loop.safety.stats.workspaceRejects };
      } finally {
        w.dispose();
      }
    };
    const free = await run(false);
    const boxed = await run(true);
    expect(free.rejects).toBe(0);
    expect(boxed.rejects).toBeGreaterThan(0);
    expect(boxed.r.maxVelFrac).toBeLessThan(free.r.maxVelFrac); // fewer table impacts
    expect(boxed.r.limitViolations).toBe(0);
  });
});
