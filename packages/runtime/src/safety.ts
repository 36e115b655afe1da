import { type EmbodimentSpec, type Logger, logger as rootLogger, ValidationError } from '@robofm/core';

/** Axis-aligned box (metres, world frame) that points given by `fk` must stay inside. */
export interface WorkspaceBox {
  min: [number, number, number];
  max: [number, number, number];
  /** Forward kinematics: joint positions → the points to check (e.g. end effectors). */
  fk: (q: ArrayLike<number>) => Array<[number, number, number]>;
}

export interface SafetyOptions {
  /** Targets move at most this fraction of each joint's velocity limit (default 0.8). */
  targetVelFrac?: number;
  /** Above this fraction of the velocity limit only braking torque is allowed (default 0.9). */
  brakeVelFrac?: number;
  /** Targets are kept this far inside the joint position limits (default 0). */
  positionMargin?: number;
  /** Hold position when no fresh target arrived for this long, seconds (default 0.25). */
  watchdogS?: number;
  workspace?: WorkspaceBox;
  logger?: Logger;
}

export interface SafetyStats {
  /** Fresh targets clipped into the joint limits. */
  positionClips: number;
  /** Physics ticks where the target's motion was rate-limited. */
  rateLimited: number;
  /** Fresh targets rejected because they left the workspace box. */
  workspaceRejects: number;
  /** Physics ticks where a joint was braked for being too fast. */
  velocityBrakes: number;
  watchdogTrips: number;
  /** Largest |q̇| / maxVelocity measured over all joints and ticks. */
  maxVelFrac: number;
  /** Largest |τ| / maxTorque commanded. */
  maxTauFrac: number;
  /** Safe targets outside the joint limits or torques beyond their limit (must stay 0). */
  limitViolations: number;
}

/**
 * The last layer before the motors. Everything commanded passes through it:
 * - fresh targets are clipped to the joint position limits (minus a margin) and rejected when
 *   forward kinematics puts a point outside the workspace box;
 * - the target handed to the PD controller moves toward the fresh target at a bounded speed;
 * - torques are clipped to the limits, and a joint faster than `brakeVelFrac` of its limit gets
 *   only damping (plus bias compensation) so it slows down;
 * - a watchdog holds position when no fresh target arrives in time; e-stop holds and ignores targets.
 */
export class SafetyLayer {
  readonly stats: SafetyStats = {
    positionClips: 0,
    rateLimited: 0,
    workspaceRejects: 0,
    velocityBrakes: 0,
    watchdogTrips: 0,
    maxVelFrac: 0,
    maxTauFrac: 0,
    limitViolations: 0,
  };
  private readonly n: number;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly vmax: Float64Array;
  private readonly tauMax: Float64Array;
  private readonly kd: Float64Array;
  private readonly desired: Float64Array;
  private readonly safe: Float64Array;
  private lastFresh = Number.NEGATIVE_INFINITY;
  private watchdogTripped = false;
  private estopReason: string | null = null;
  private readonly log: Logger;
  private readonly o: Required<Omit<SafetyOptions, 'workspace' | 'logger'>>;

  constructor(
    readonly spec: EmbodimentSpec,
    private readonly opts: SafetyOptions = {},
  ) {
    this.n = spec.joints.length;
    this.o = {
      targetVelFrac: opts.targetVelFrac ?? 0.8,
      brakeVelFrac: opts.brakeVelFrac ?? 0.9,
      positionMargin: opts.positionMargin ?? 0,
      watchdogS: opts.watchdogS ?? 0.25,
    };
    const o = this.o;
    if (!(o.targetVelFrac > 0 && o.targetVelFrac <= 1))
      throw new ValidationError('safety.targetVelFrac', o.targetVelFrac, 'a number in (0, 1]');
    if (!(o.brakeVelFrac > 0 && o.brakeVelFrac <= 1))
      throw new ValidationError('safety.brakeVelFrac', o.brakeVelFrac, 'a number in (0, 1]');
    if (!(o.watchdogS > 0)) throw new ValidationError('safety.watchdogS', o.watchdogS, 'a positive number');
    if (!(o.positionMargin >= 0))
      throw new ValidationError('safety.positionMargin', o.positionMargin, 'a non-negative number');
    const ws = opts.workspace;
    if (ws) {
      for (let a = 0; a < 3; a++)
        if (!(ws.min[a] < ws.max[a]))
          throw new ValidationError(`safety.workspace.min[${a}]`, ws.min[a], `< max[${a}] (${ws.max[a]})`);
    }
    const arr = (f: (j: EmbodimentSpec['joints'][number]) => number) => Float64Array.from(spec.joints, f);
    this.lower = arr((j) => Math.min(j.lower + o.positionMargin, (j.lower + j.upper) / 2));
    this.upper = arr((j) => Math.max(j.upper - o.positionMargin, (j.lower + j.upper) / 2));
    this.vmax = arr((j) => j.maxVelocity);
    this.tauMax = arr((j) => j.maxTorque);
    this.kd = arr((j) => j.kd);
    this.desired = new Float64Array(this.n);
    this.safe = new Float64Array(this.n);
    this.log = (opts.logger ?? rootLogger).child({ component: 'safety' });
  }

  /** Start of an episode: hold the current position. */
  reset(q: ArrayLike<number>, now: number): void {
    for (let i = 0; i < this.n; i++) this.desired[i] = this.safe[i] = this.clip(i, q[i]);
    this.lastFresh = now;
    this.watchdogTripped = false;
  }

  get estopped(): boolean {
    return this.estopReason !== null;
  }

  /** Emergency stop: hold the current position and ignore targets until `release`. */
  estop(reason: string, q: ArrayLike<number>): void {
    if (this.estopReason === null) this.log.error('e-stop engaged: holding position', { reason });
    this.estopReason = reason;
    for (let i = 0; i < this.n; i++) this.desired[i] = this.safe[i] = this.clip(i, q[i]);
  }

  /** Hold `q` from now on (episode end), without the e-stop's latch or log line. */
  hold(q: ArrayLike<number>, now: number): void {
    for (let i = 0; i < this.n; i++) this.desired[i] = this.safe[i] = this.clip(i, q[i]);
    this.lastFresh = now;
  }

  release(reason: string): void {
    if (this.estopReason !== null) this.log.warn('e-stop released', { reason, was: this.estopReason });
    this.estopReason = null;
  }

  /** A fresh target (one control step's action, joints order). Returns false if rejected. */
  submit(target: ArrayLike<number>, now: number): boolean {
    if (this.estopReason !== null) return false;
    if (target.length < this.n)
      throw new ValidationError('target', target, `at least ${this.n} joint targets`);
    const next = new Float64Array(this.n);
    let clipped = false;
    for (let i = 0; i < this.n; i++) {
      const t = Number.isFinite(target[i]) ? target[i] : this.desired[i];
      next[i] = this.clip(i, t);
      if (next[i] !== target[i]) clipped = true;
    }
    if (clipped) this.stats.positionClips++;
    const ws = this.opts.workspace;
    if (ws && !this.insideWorkspace(next)) {
      this.stats.workspaceRejects++;
      if (this.stats.workspaceRejects === 1 || this.stats.workspaceRejects % 100 === 0)
        this.log.warn('target rejected: outside the workspace box', { rejects: this.stats.workspaceRejects });
      return false;
    }
    this.desired.set(next);
    this.lastFresh = now;
    if (this.watchdogTripped) {
      this.watchdogTripped = false;
      this.log.debug('watchdog cleared: fresh target', { t: round(now) });
    }
    return true;
  }

  /** The target for this physics tick (rate-limited, within limits). Writes into and returns `out`. */
  target(q: ArrayLike<number>, now: number, dt: number, out = new Float64Array(this.n)): Float64Array {
    if (this.estopReason === null && !this.watchdogTripped && now - this.lastFresh > this.o.watchdogS) {
      this.watchdogTripped = true;
      this.stats.watchdogTrips++;
      // Every trip is counted; the log shows the first and then every 50th (sync waits trip it often).
      const trips = this.stats.watchdogTrips;
      this.log.log(
        trips === 1 || trips % 50 === 0 ? 'warn' : 'debug',
        'watchdog: no fresh target, holding position',
        {
          t: round(now),
          since_ms: Math.round((now - this.lastFresh) * 1000),
          trips,
        },
      );
      for (let i = 0; i < this.n; i++) this.desired[i] = this.clip(i, q[i]);
    }
    let limited = false;
    for (let i = 0; i < this.n; i++) {
      const maxStep = this.o.targetVelFrac * this.vmax[i] * dt;
      let d = this.desired[i] - this.safe[i];
      if (d > maxStep) {
        d = maxStep;
        limited = true;
      } else if (d < -maxStep) {
        d = -maxStep;
        limited = true;
      }
      this.safe[i] = this.clip(i, this.safe[i] + d);
      if (this.estopReason !== null) this.safe[i] = this.desired[i];
      out[i] = this.safe[i];
      if (!(out[i] >= this.lower[i] - 1e-12 && out[i] <= this.upper[i] + 1e-12)) this.stats.limitViolations++;
    }
    if (limited) this.stats.rateLimited++;
    return out;
  }

  /** Final torque check: brake joints that are too fast, clip to limits. Mutates and returns `tau`. */
  torque(tau: Float64Array, qd: ArrayLike<number>, bias: ArrayLike<number> | undefined): Float64Array {
    for (let i = 0; i < this.n; i++) {
      const v = qd[i];
      const frac = Math.abs(v) / this.vmax[i];
      if (frac > this.stats.maxVelFrac) this.stats.maxVelFrac = frac;
      if (frac > this.o.brakeVelFrac && Math.sign(tau[i] - (bias ? bias[i] : 0)) === Math.sign(v)) {
        // Too fast and still pushing along the motion: damping only (plus bias compensation).
        tau[i] = (bias ? bias[i] : 0) - Math.max(this.kd[i], 1e-3) * v;
        this.stats.velocityBrakes++;
      }
      const m = this.tauMax[i];
      if (!Number.isFinite(tau[i])) tau[i] = 0;
      if (tau[i] > m) tau[i] = m;
      else if (tau[i] < -m) tau[i] = -m;
      const tf = Math.abs(tau[i]) / m;
      if (tf > this.stats.maxTauFrac) this.stats.maxTauFrac = tf;
      if (tf > 1 + 1e-12) this.stats.limitViolations++;
    }
    return tau;
  }

  private clip(i: number, v: number): number {
    return Math.min(this.upper[i], Math.max(this.lower[i], v));
  }

  private insideWorkspace(q: ArrayLike<number>): boolean {
    const ws = this.opts.workspace!;
    for (const p of ws.fk(q)) {
      for (let a = 0; a < 3; a++) if (!(p[a] >= ws.min[a] && p[a] <= ws.max[a])) return false;
    }
    return true;
  }
}

function round(t: number): number {
  return Math.round(t * 1000) / 1000;
}
