import { Logger, type Policy } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { benchOutage, benchScheduling, type ServeHook } from './bench.ts';
import { FixturePolicyServer } from './testing/policy-server.ts';

const quiet = new Logger({}, 'silent');
const serve: ServeHook = async (policy: Policy) => {
  const s = await new FixturePolicyServer(policy).start();
  return { url: s.url, close: () => s.kill() };
};

describe('runtime benches (real time, small)', () => {
  it('benchScheduling returns one cell per scheduler × latency, with the latency really injected', async () => {
    const r = await benchScheduling({
      serve,
      latenciesMs: [0, 100],
      schedulers: ['sync', 'rtc'],
      episodes: 1,
      progress: false,
      logger: quiet,
    });
    expect(Object.keys(r)).toEqual(['sync', 'rtc']);
    for (const s of ['sync', 'rtc']) {
      expect(Object.keys(r[s])).toEqual(['0', '100']);
      expect(r[s]['0'].vs_zero).toBe(1);
      expect(r[s]['0'].success).toBe(1);
      expect(r[s]['100'].rtt_ms).toBeGreaterThanOrEqual(95); // the proxy really added it
      expect(r[s]['0'].rtt_ms).toBeGreaterThan(0);
    }
  });

  it('benchOutage reports success and the largest joint speed over its limit', async () => {
    const r = await benchOutage({ serve, outageS: 1, atS: 0.5, episodes: 1, progress: false, logger: quiet });
    expect(r.success).toBe(1);
    expect(r.max_vel_frac).toBeGreaterThan(0);
    expect(r.max_vel_frac).toBeLessThanOrEqual(1);
  });

  it('names bad options', async () => {
    await expect(benchScheduling({ serve, episodes: 0 })).rejects.toThrow(/episodes: got 0/);
    await expect(benchScheduling({ serve, latenciesMs: [-1] })).rejects.toThrow(/latenciesMs\[0\]/);
    await expect(benchOutage({ serve, outageS: 0 })).rejects.toThrow(/outageS/);
  });
});
