import { Logger, RobofmError } from '@robofm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlLoop } from './control-loop.ts';
import { RemotePolicy } from './remote-policy.ts';
import { FixturePolicyServer } from './testing/policy-server.ts';
import { ReachWorld } from './testing/reach-world.ts';

const quiet = new Logger({}, 'silent');
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(seed = 1, opts: { waypoints?: number; timeLimitS?: number } = {}) {
  const world = new ReachWorld({ seed, ...opts });
  const server = await new FixturePolicyServer(world.expert!).start();
  cleanup.push(() => server.kill());
  return { world, server };
}

describe('RemotePolicy', () => {
  it('reads the metadata frame and gets action chunks over the openpi protocol', async () => {
    const { world, server } = await setup();
    const p = await RemotePolicy.connect({ url: server.url, logger: quiet });
    cleanup.push(() => p.dispose());
    expect(p.metadata).toMatchObject({ id: 'reach-expert', actionHorizon: 25 });
    const obs = { embodiment: 'di', images: {}, state: world.driver.read().state, instruction: 'go' };
    const chunk = await p.infer(obs);
    const local = await world.expert!.infer(obs);
    expect(chunk.horizon).toBe(25);
    expect(Array.from(chunk.actions)).toEqual(Array.from(local.actions));
    expect(chunk.timing.rttMs).toBeGreaterThan(0);
    await expect(p.infer({ ...obs, embodiment: 'nope' })).rejects.toThrow(/observation.embodiment/);
  });

  it('fails fast when unreachable, misses deadlines with a code, and reconnects with backoff', async () => {
    const { world, server } = await setup();
    const p = await RemotePolicy.connect({
      url: server.url,
      deadlineMs: 150,
      backoff: { initialMs: 20, maxMs: 100 },
      logger: quiet,
    });
    cleanup.push(() => p.dispose());
    const obs = { embodiment: 'di', images: {}, state: world.driver.read().state, instruction: '' };
    server.delayMs = 400;
    const err = await p.infer(obs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RobofmError);
    expect((err as RobofmError).code).toBe('deadline_exceeded');
    server.delayMs = 0;
    await until(() => p.connected);
    await expect(p.infer(obs)).resolves.toMatchObject({ horizon: 25 });
    await server.kill();
    await until(() => !p.connected);
    const t0 = performance.now();
    const down = await p.infer(obs).catch((e: unknown) => e);
    expect((down as RobofmError).code).toBe('unreachable');
    expect(performance.now() - t0).toBeLessThan(150); // at once, not after the 150 ms deadline
    await server.start(); // same port
    await until(() => p.connected, 3000);
    await expect(p.infer(obs)).resolves.toMatchObject({ horizon: 25 });
    expect(p.stats.connects).toBeGreaterThanOrEqual(3);
  });

  it('also works as `new RemotePolicy(url)` + `connect()` (how @robofm/eval builds it)', async () => {
    const { server } = await setup();
    const p = new RemotePolicy(server.url);
    cleanup.push(() => p.dispose());
    expect(p.connected).toBe(false);
    await p.connect();
    expect(p.connected).toBe(true);
    expect(p.metadata.id).toBe('reach-expert');
  });

  it('rejects a bad URL naming the field', async () => {
    await expect(RemotePolicy.connect({ url: 'http://x' })).rejects.toThrow(/url: got "http:\/\/x"/);
  });
});

describe('killing the server mid-episode', () => {
  it('falls back within one control deadline, never commands beyond limits, hands back after restart', async () => {
    const { world, server } = await setup(7, { waypoints: 8, timeLimitS: 30 });
    const deadlineS = 0.3;
    const policy = await RemotePolicy.connect({
      url: server.url,
      deadlineMs: deadlineS * 1000,
      backoff: { initialMs: 50, maxMs: 200 },
      logger: quiet,
    });
    cleanup.push(() => policy.dispose());
    world.driver.recordCommands = true;
    // Kill at 1.0 s and restart at 2.2 s on the loop's own clock (it starts after the warm-up).
    let t0 = 0;
    let killedAt = 0;
    let restartedAt = 0;
    const timers: NodeJS.Timeout[] = [];
    cleanup.push(() => timers.forEach(clearTimeout));
    const loop = new ControlLoop({
      driver: world.driver,
      policy,
      scheduler: 'async',
      clock: 'realtime',
      deadlineS,
      isDone: () => world.success(),
      maxSeconds: 4,
      logger: quiet,
      onStart: () => {
        t0 = performance.now();
        timers.push(
          setTimeout(() => {
            killedAt = (performance.now() - t0) / 1000;
            void server.kill();
          }, 1000),
          setTimeout(() => {
            restartedAt = (performance.now() - t0) / 1000;
            void server.start();
          }, 2200),
        );
      },
    });
    const r = await loop.run();
    expect(killedAt).toBeGreaterThan(0);
    const down = r.switches.find((e) => e.to === 'fallback')!;
    expect(down, JSON.stringify(r.switches)).toBeDefined();
    expect(down.t).toBeGreaterThanOrEqual(killedAt - 0.01);
    // One control deadline (+ one control period for the loop to notice).
    expect(down.t - killedAt).toBeLessThanOrEqual(deadlineS + 1 / world.driver.spec.controlHz);
    const up = r.switches.find((e) => e.to === 'remote' && e.t > restartedAt);
    expect(up, JSON.stringify(r.switches)).toBeDefined();
    // Never beyond limits: every torque commanded, every PD target, every measured velocity.
    const spec = world.driver.spec;
    expect(world.driver.commands.length).toBeGreaterThan(1000);
    for (const c of world.driver.commands) {
      if (c.kind !== 'torque') throw new Error('expected torque commands');
      for (const [i, t] of c.tau.entries()) expect(Math.abs(t)).toBeLessThanOrEqual(spec.joints[i].maxTorque);
    }
    expect(r.limitViolations).toBe(0);
    expect(r.maxVelFrac).toBeLessThanOrEqual(1);
    spec.joints.forEach((j, i) => {
      expect(world.driver.q[i]).toBeGreaterThanOrEqual(j.lower);
      expect(world.driver.q[i]).toBeLessThanOrEqual(j.upper);
    });
  });
});

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
