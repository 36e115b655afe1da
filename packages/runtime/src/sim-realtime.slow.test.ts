import { Logger } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { ControlLoop } from './control-loop.ts';
import { FaultProxy } from './fault-proxy.ts';
import { RemotePolicy } from './remote-policy.ts';
import { simWorld } from './sim-world.ts';
import { FixturePolicyServer } from './testing/policy-server.ts';
import { SinePolicy } from './testing/sine-policy.ts';

// End to end in real time on MuJoCo: arm6 with its two cameras rendered per request, a policy
// server behind the fault proxy (100 ± 20 ms), the server killed mid-episode and restarted.
describe('arm6 in real time, server killed mid-episode', () => {
  it('falls back within one deadline, stays within limits, hands back after the restart', async () => {
    const quiet = new Logger({}, 'silent');
    const w = (await simWorld({ embodiment: 'arm6', seed: 2 }))!;
    const server = await new FixturePolicyServer(new SinePolicy(w.driver.spec, w.driver.read().q)).start();
    const proxy = await new FaultProxy({
      target: server.url,
      faults: { latencyMs: 100, jitterMs: 20 },
      logger: quiet,
    }).start();
    const deadlineS = 0.6; // generous: CI machines are shared
    const policy = await RemotePolicy.connect({
      url: proxy.url,
      deadlineMs: deadlineS * 1000,
      backoff: { initialMs: 50, maxMs: 200 },
      logger: quiet,
    });
    try {
      // Kill at 1.5 s, restart at 2.5 s on the loop's own clock (it starts after the warm-up).
      let t0 = 0;
      let killedAt = 0;
      const timers: NodeJS.Timeout[] = [];
      const loop = new ControlLoop({
        driver: w.driver,
        policy,
        scheduler: 'rtc',
        clock: 'realtime',
        deadlineS,
        workspace: w.workspace,
        maxSeconds: 8,
        logger: quiet,
        onStart: () => {
          t0 = performance.now();
          timers.push(
            setTimeout(() => {
              killedAt = (performance.now() - t0) / 1000;
              void server.kill();
            }, 1500),
            setTimeout(() => void server.start(), 2500),
          );
        },
      });
      const r = await loop.run();
      timers.forEach(clearTimeout);
      const down = r.switches.find((e) => e.to === 'fallback')!;
      expect(down, JSON.stringify(r.switches)).toBeDefined();
      expect(down.t - killedAt).toBeLessThanOrEqual(deadlineS + 1 / w.driver.spec.controlHz);
      expect(r.switches.some((e) => e.to === 'remote' && e.t > 2.5)).toBe(true);
      expect(r.meanRttMs).toBeGreaterThan(80);
      expect(r.maxVelFrac).toBeLessThanOrEqual(1);
      expect(r.maxTauFrac).toBeLessThanOrEqual(1);
      expect(r.limitViolations).toBe(0);
    } finally {
      policy.dispose();
      await proxy.close();
      await server.kill();
      w.dispose();
    }
  });
});
