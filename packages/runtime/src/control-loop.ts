import { setImmediate as yieldIo, setTimeout as sleep } from 'node:timers/promises';
import {
  type Logger,
  type Observation,
  type Policy,
  pdGainsFromSpec,
  pdTorque,
  type RobotDriver,
  logger as rootLogger,
  ValidationError,
} from '@robofm/core';
import { Fallback, type FallbackOptions } from './fallback.ts';
import type { FaultSpec } from './faults.ts';
import { type ChannelEvent, type ClockKind, PolicyChannel } from './policy-channel.ts';
import { type SafetyOptions, SafetyLayer, type WorkspaceBox } from './safety.ts';
import {
  type ChunkScheduler,
  createScheduler,
  type SchedulerKind,
  type SchedulerOptions,
} from './schedulers.ts';

export type ControlMode = 'remote' | 'fallback';

/** One switch between the remote policy and the fallback, with its reason. */
export interface SwitchEvent {
  t: number;
  step: number;
  from: ControlMode;
  to: ControlMode;
  reason: string;
  /** To fallback: how long the failed request had been waiting, seconds. */
  waitedS?: number;
}

/** One control step as recorded to the episode buffer. */
export interface StepRecord {
  t: number;
  step: number;
  mode: ControlMode;
  state: Float32Array;
  qd: Float32Array;
  /** The fresh target submitted this step (null when none). */
  action: Float32Array | null;
  subtask?: string;
  /** Camera images, on steps where an observation was sent (with `recordImages`). */
  images?: Record<string, Uint8Array>;
}

export interface EpisodeRecorder {
  step(rec: StepRecord): void;
}

export interface ControlLoopOptions {
  driver: RobotDriver;
  policy: Policy;
  scheduler?: SchedulerKind;
  schedulerOptions?: Partial<SchedulerOptions>;
  clock?: ClockKind;
  /** Seconds the runtime waits for a chunk before the fallback takes over (default 0.5). */
  deadlineS?: number;
  /** Virtual clock only: faults applied in virtual time. */
  faults?: FaultSpec;
  fallback?: FallbackOptions;
  safety?: SafetyOptions;
  workspace?: WorkspaceBox;
  instruction?: string;
  /** Checked each control step; the episode ends when it returns true. */
  isDone?: () => boolean;
  maxSeconds?: number;
  /** While in fallback, probe the remote every this many seconds at first (default 0.25)… */
  probeIntervalS?: number;
  /** …doubling after each failed probe up to this (default 0.5). */
  probeMaxS?: number;
  recorder?: EpisodeRecorder;
  /** Send one request before the episode starts (default true). */
  warmup?: boolean;
  /** Called when the episode clock starts (after the warm-up), e.g. to start a fault schedule. */
  onStart?: () => void;
  /** Also record the camera images of every observation sent (default false). */
  recordImages?: boolean;
  logger?: Logger;
}

export interface EpisodeResult {
  success: boolean;
  /** Seconds (robot clock) until success, or the whole episode when it failed. */
  completionS: number;
  controlSteps: number;
  physicsSteps: number;
  remoteSteps: number;
  fallbackSteps: number;
  /** Control steps in remote mode with no queued action (the robot waited). */
  starvedSteps: number;
  requests: number;
  failures: number;
  switches: SwitchEvent[];
  meanRttMs: number;
  /**
   * Largest change between consecutive remote actions, as a fraction of what the joint may move in
   * one control step at its velocity limit (chunk switches show up here; RTC keeps it low).
   */
  maxActionStepFrac: number;
  maxVelFrac: number;
  maxTauFrac: number;
  limitViolations: number;
  watchdogTrips: number;
  /** Realtime: control steps that started more than one control period late (CPU starvation). */
  overruns: number;
  /** Realtime: worst lateness of a control step behind wall time, seconds. */
  maxLagS: number;
  estopped: boolean;
}

/**
 * The robot-side loop: PD control at physics rate (core's `pdTorque` behind the SafetyLayer), and
 * at control rate the chunk scheduler, the remote request in flight, and the switch to the
 * fallback when the remote misses its deadline or is unreachable (and back when it answers again).
 * On the realtime clock the loop paces the driver to wall time; on the virtual clock it runs as
 * fast as it can and network time is simulated (see PolicyChannel).
 */
export class ControlLoop {
  readonly safety: SafetyLayer;
  readonly scheduler: ChunkScheduler;
  readonly switches: SwitchEvent[] = [];
  private readonly channel: PolicyChannel;
  private readonly fallback: Fallback;
  private readonly log: Logger;
  private readonly clock: ClockKind;
  private mode: ControlMode = 'remote';
  private estopRequest: string | null = null;
  private stopRequest = false;
  private now = 0;
  private step = 0;
  private wall0 = 0;

  constructor(private readonly o: ControlLoopOptions) {
    const spec = o.driver.spec;
    this.clock = o.clock ?? 'virtual';
    const deadlineS = o.deadlineS ?? 0.5;
    if (!(deadlineS > 0)) throw new ValidationError('deadlineS', deadlineS, 'a positive number of seconds');
    if (o.faults && this.clock === 'realtime')
      throw new ValidationError(
        'faults',
        o.faults,
        'faults only on the virtual clock (use FaultProxy in real time)',
      );
    this.log = (o.logger ?? rootLogger).child({ component: 'control-loop', embodiment: spec.name });
    this.safety = new SafetyLayer(spec, { ...o.safety, workspace: o.workspace, logger: this.log });
    this.scheduler = createScheduler(o.scheduler ?? 'async', {
      controlHz: spec.controlHz,
      ...o.schedulerOptions,
    });
    this.channel = new PolicyChannel(o.policy, { clock: this.clock, deadlineS, faults: o.faults });
    this.fallback = new Fallback(spec, o.fallback ?? {}, this.clock);
    for (const [field, p] of [
      ['policy', o.policy],
      ['fallback.policy', o.fallback?.policy],
    ] as const) {
      if (p && !p.metadata.embodiments[spec.name])
        throw new ValidationError(
          field,
          p.metadata.id,
          `a policy that drives '${spec.name}' (it drives ${Object.keys(p.metadata.embodiments).join(', ') || 'nothing'})`,
        );
    }
  }

  get currentMode(): ControlMode {
    return this.mode;
  }

  /** Emergency stop (takes effect at the next physics tick): hold position, end the episode. */
  estop(reason: string): void {
    this.estopRequest = reason;
  }

  /** Ends the episode at the next control step (no e-stop). */
  stop(): void {
    this.stopRequest = true;
  }

  /** Loop clock: virtual = robot time; realtime = wall seconds since start. */
  private clockNow(): number {
    return this.clock === 'virtual' ? this.o.driver.read().time : (performance.now() - this.wall0) / 1000;
  }

  async run(): Promise<EpisodeResult> {
    const { driver } = this.o;
    const spec = driver.spec;
    const gains = pdGainsFromSpec(spec);
    const n = spec.joints.length;
    const dt = 1 / spec.physicsHz;
    const maxSeconds = this.o.maxSeconds ?? 30;
    const tau = new Float64Array(n);
    const tgt = new Float64Array(n);
    if (this.o.warmup !== false) await this.warmup();
    this.o.onStart?.();
    const t0 = driver.read().time;
    this.wall0 = performance.now();
    const first = driver.read();
    this.safety.reset(first.q, this.clockNow());
    this.fallback.setHome(Float64Array.from(first.q));
    await this.o.policy.reset?.();
    if (this.o.policy.metadata.actionHorizon < 2 && this.scheduler.kind !== 'sync')
      this.log.warn('policy answers one action per request: async/rtc drop every stale one; use sync', {
        policy: this.o.policy.metadata.id,
        scheduler: this.scheduler.kind,
      });
    let probeInterval = this.o.probeIntervalS ?? 0.25;
    let nextProbe = 0;
    let subtask: string | undefined;
    const res: EpisodeResult = {
      success: false,
      completionS: 0,
      controlSteps: 0,
      physicsSteps: 0,
      remoteSteps: 0,
      fallbackSteps: 0,
      starvedSteps: 0,
      requests: 0,
      failures: 0,
      switches: this.switches,
      meanRttMs: 0,
      maxActionStepFrac: 0,
      maxVelFrac: 0,
      maxTauFrac: 0,
      limitViolations: 0,
      watchdogTrips: 0,
      overruns: 0,
      maxLagS: 0,
      estopped: false,
    };
    const stepMax = Float64Array.from(spec.joints, (j) => j.maxVelocity / spec.controlHz);
    let prevAction: Float32Array | null = null;
    let rttSum = 0;
    let rttCount = 0;
    let tick = 0;
    let lastControl = -1;

    for (;;) {
      const st = driver.read();
      const simT = st.time - t0;
      const controlIndex = Math.floor((tick * spec.controlHz) / spec.physicsHz + 1e-9);
      if (controlIndex !== lastControl) {
        // ---- control step ----
        lastControl = controlIndex;
        this.step = controlIndex;
        this.now = this.clockNow();
        const now = this.now;
        if (this.estopRequest !== null) {
          this.safety.estop(this.estopRequest, st.q);
          res.estopped = true;
          break;
        }
        if (this.o.isDone?.()) {
          res.success = true;
          break;
        }
        if (this.stopRequest || simT >= maxSeconds) break;
        let obsCache: Observation | null = null;
        const obs = (): Observation =>
          (obsCache ??= {
            embodiment: spec.name,
            images: driver.images(),
            state: st.state,
            instruction: this.o.instruction ?? '',
            timestamp: simT,
          });
        const handle = (polled: ChannelEvent | null): void => {
          let ev = polled;
          if (ev?.ok && (ev.chunk.actionDim !== n || ev.chunk.actions.length !== ev.chunk.horizon * n)) {
            ev = {
              ok: false,
              obsStep: ev.obsStep,
              reason: `sent an invalid chunk (actionDim ${ev.chunk.actionDim}, expected ${n})`,
            };
          }
          if (ev?.ok) {
            this.scheduler.observeLatency(ev.rttS);
            rttSum += ev.rttS;
            rttCount++;
            subtask = ev.chunk.subtask ?? subtask;
            if (this.mode === 'fallback') {
              this.switchTo('remote', `remote answered again (rtt ${Math.round(ev.rttS * 1000)} ms)`);
              this.scheduler.reset();
              probeInterval = this.o.probeIntervalS ?? 0.25;
            }
            this.scheduler.accept(ev.chunk, ev.obsStep, this.step);
          } else if (ev) {
            if (this.mode === 'remote') {
              this.switchTo('fallback', `remote ${ev.reason}`, ev.waitedS);
              this.fallback.engage(st.q);
              nextProbe = now + probeInterval;
            } else {
              probeInterval = Math.min(this.o.probeMaxS ?? 0.5, probeInterval * 2);
              nextProbe = now + probeInterval;
            }
          }
        };
        handle(this.channel.poll(now));
        // A client that knows its connection dropped (RemotePolicy) lets us switch at once.
        const linkUp = (this.o.policy as { connected?: boolean }).connected !== false;
        if (this.mode === 'remote' && !linkUp) {
          this.channel.cancel();
          this.switchTo('fallback', 'remote disconnected');
          this.fallback.engage(st.q);
          nextProbe = now;
        }
        let action: Float64Array | Float32Array | null = null;
        if (this.mode === 'remote' && !this.channel.inFlight && this.scheduler.shouldRequest(this.step)) {
          await this.channel.request(obs(), this.step, now);
          // A fast (local) policy may already have answered: use it in this very step.
          if (this.clock === 'realtime') await yieldIo();
          handle(this.channel.poll(now));
        }
        if (this.mode === 'remote') {
          action = this.scheduler.actionAt(this.step);
          res.remoteSteps++;
          if (!action) res.starvedSteps++;
        } else {
          if (!linkUp) {
            probeInterval = this.o.probeIntervalS ?? 0.25;
            nextProbe = now;
          } else if (!this.channel.inFlight && now >= nextProbe)
            await this.channel.request(obs(), this.step, now);
          action = await this.fallback.act(this.step, now, obs);
          res.fallbackSteps++;
        }
        if (action) this.safety.submit(action, now);
        if (this.mode === 'remote' && action && prevAction) {
          for (let i = 0; i < n; i++) {
            const f = Math.abs(action[i] - prevAction[i]) / stepMax[i];
            if (f > res.maxActionStepFrac) res.maxActionStepFrac = f;
          }
        }
        prevAction = this.mode === 'remote' && action ? Float32Array.from(action) : null;
        this.o.recorder?.step({
          t: simT,
          step: this.step,
          mode: this.mode,
          state: st.state,
          qd: Float32Array.from(st.qd),
          action: action ? Float32Array.from(action) : null,
          subtask,
          ...(this.o.recordImages && obsCache ? { images: (obsCache as Observation).images } : {}),
        });
        res.controlSteps++;
        if (this.clock === 'realtime') {
          const lag = (performance.now() - this.wall0) / 1000 - simT;
          if (lag > res.maxLagS) res.maxLagS = lag;
          if (lag > 1 / spec.controlHz && ++res.overruns === 1)
            this.log.warn('control loop running late', { lag_ms: Math.round(lag * 1000), t: simT });
          await this.pace(simT);
        }
      }
      // ---- physics tick: PD toward the safe target ----
      const now = this.clock === 'virtual' ? simT + t0 : this.now;
      this.safety.target(st.q, now, dt, tgt);
      pdTorque(gains, st.q, st.qd, tgt, st.bias, tau);
      this.safety.torque(tau, st.qd, st.bias);
      driver.command({ kind: 'torque', tau });
      await driver.advance();
      tick++;
      res.physicsSteps++;
    }
    // Leave the robot holding where it is.
    const last = driver.read();
    this.safety.hold(last.q, this.now);
    this.safety.target(last.q, this.now, dt, tgt);
    pdTorque(gains, last.q, last.qd, tgt, last.bias, tau);
    this.safety.torque(tau, last.qd, last.bias);
    driver.command({ kind: 'torque', tau });
    this.channel.cancel();
    const end = driver.read().time - t0;
    res.completionS = end;
    res.requests = this.channel.requests;
    res.failures = this.channel.failures;
    res.meanRttMs = rttCount ? (rttSum / rttCount) * 1000 : 0;
    res.maxVelFrac = this.safety.stats.maxVelFrac;
    res.maxTauFrac = this.safety.stats.maxTauFrac;
    res.limitViolations = this.safety.stats.limitViolations;
    res.watchdogTrips = this.safety.stats.watchdogTrips;
    this.log.info('episode end', {
      success: res.success,
      completion_s: Math.round(end * 1000) / 1000,
      switches: this.switches.length,
      max_vel_frac: Math.round(res.maxVelFrac * 1000) / 1000,
    });
    return res;
  }

  /**
   * One request before the episode starts (first requests pay for connection setup, JIT and model
   * warm-up, which would otherwise miss the first deadline). Stateful policies are reset afterwards.
   */
  private async warmup(): Promise<void> {
    const { driver } = this.o;
    const st = driver.read();
    const obs: Observation = {
      embodiment: driver.spec.name,
      images: driver.images(),
      state: st.state,
      instruction: this.o.instruction ?? '',
      timestamp: 0,
    };
    for (const p of [this.o.policy, this.o.fallback?.policy]) {
      if (!p) continue;
      const t = performance.now();
      try {
        await p.infer(obs);
        this.log.debug('warm-up request answered', {
          policy: p.metadata.id,
          ms: Math.round(performance.now() - t),
        });
      } catch (e) {
        this.log.warn('warm-up request failed', { policy: p.metadata.id, error: (e as Error).message });
      }
    }
    await this.o.fallback?.policy?.reset?.();
  }

  private switchTo(to: ControlMode, reason: string, waitedS?: number): void {
    const ev: SwitchEvent = { t: this.now, step: this.step, from: this.mode, to, reason };
    if (waitedS !== undefined) ev.waitedS = waitedS;
    this.switches.push(ev);
    this.mode = to;
    const fields: Record<string, unknown> = { from: ev.from, to, reason, t: Math.round(ev.t * 1000) / 1000 };
    if (waitedS !== undefined) fields.waited_ms = Math.round(waitedS * 1000);
    if (to === 'fallback') this.log.warn(`fallback engaged (${this.fallback.mode})`, fields);
    else this.log.info('remote policy back in control', fields);
  }

  /** Realtime: sleep until wall time catches up with robot time; always let I/O run. */
  private async pace(simT: number): Promise<void> {
    const ahead = simT - (performance.now() - this.wall0) / 1000;
    if (ahead > 0.001) await sleep(ahead * 1000);
    else await yieldIo();
  }
}
