import { type EmbodimentSpec, type Observation, type Policy, ValidationError } from '@robofm/core';
import { type ClockKind, PolicyChannel } from './policy-channel.ts';
import { AsyncScheduler } from './schedulers.ts';

export type FallbackMode = 'hold' | 'retreat';

export interface FallbackOptions {
  /** A small on-robot policy that takes over (e.g. `loadLocalPolicy(dir)`); else `mode` applies. */
  policy?: Policy;
  /** Without a local policy: hold where the robot is, or retreat slowly to `home` (default hold). */
  mode?: FallbackMode;
  home?: Float64Array;
  /** Retreat speed as a fraction of each joint's velocity limit (default 0.2). */
  retreatVelFrac?: number;
  /** Deadline for the local policy's requests, seconds (default 1). */
  localDeadlineS?: number;
}

/**
 * What the robot does while the remote policy is out: run the local policy (async-scheduled,
 * holding until its first chunk), or hold / retreat. Produces one target per control step.
 */
export class Fallback {
  private readonly target: Float64Array;
  private readonly channel?: PolicyChannel;
  private readonly sched?: AsyncScheduler;
  private readonly stepMax: Float64Array;
  readonly mode: string;

  constructor(
    readonly spec: EmbodimentSpec,
    private readonly opts: FallbackOptions,
    clock: ClockKind,
  ) {
    const n = spec.joints.length;
    this.target = new Float64Array(n);
    const frac = opts.retreatVelFrac ?? 0.2;
    if (!(frac > 0 && frac <= 1))
      throw new ValidationError('fallback.retreatVelFrac', frac, 'a number in (0, 1]');
    if (opts.mode !== undefined && opts.mode !== 'hold' && opts.mode !== 'retreat')
      throw new ValidationError('fallback.mode', opts.mode, 'hold or retreat');
    if (opts.home && opts.home.length !== n)
      throw new ValidationError('fallback.home', opts.home, `${n} joint positions`);
    this.stepMax = Float64Array.from(spec.joints, (j) => (frac * j.maxVelocity) / spec.controlHz);
    if (opts.policy) {
      this.channel = new PolicyChannel(opts.policy, { clock, deadlineS: opts.localDeadlineS ?? 1 });
      this.sched = new AsyncScheduler({ controlHz: spec.controlHz });
      this.mode = `local:${opts.policy.metadata.id}`;
    } else this.mode = opts.mode ?? 'hold';
  }

  /** Takes over at the current position `q`. */
  engage(q: ArrayLike<number>): void {
    for (let i = 0; i < this.target.length; i++) this.target[i] = q[i];
    this.channel?.cancel();
    this.sched?.reset();
  }

  /** Target for control step `step` (fresh every step, so the watchdog stays quiet). */
  async act(step: number, now: number, obs: () => Observation): Promise<Float64Array> {
    if (this.channel && this.sched) {
      const ev = this.channel.poll(now);
      if (ev?.ok) {
        this.sched.observeLatency(ev.rttS);
        this.sched.accept(ev.chunk, ev.obsStep, step);
      }
      if (!this.channel.inFlight && this.sched.shouldRequest(step))
        await this.channel.request(obs(), step, now);
      const a = this.sched.actionAt(step);
      if (a) for (let i = 0; i < this.target.length; i++) this.target[i] = a[i];
      return this.target;
    }
    if (this.mode === 'retreat') {
      const home = this.opts.home;
      if (home) {
        for (let i = 0; i < this.target.length; i++) {
          const d = home[i] - this.target[i];
          this.target[i] += Math.abs(d) <= this.stepMax[i] ? d : Math.sign(d) * this.stepMax[i];
        }
      }
    }
    return this.target;
  }

  setHome(home: Float64Array): void {
    if (!this.opts.home) this.opts.home = Float64Array.from(home);
  }
}
