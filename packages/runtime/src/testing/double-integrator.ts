import type { EmbodimentSpec, RobotCommand, RobotDriver, RobotState } from '@robofm/core';

/**
 * Test fixture: a robot whose joints are independent damped double integrators,
 *   m q̈ = τ − b q̇ (+ a constant "gravity" load g on joint 0 that `bias` reports),
 * integrated with semi-implicit Euler at the spec's physics rate. Virtual clock: `advance()` is
 * one physics step. Pure TypeScript, so runtime tests need no simulator.
 */
export interface DoubleIntegratorOptions {
  joints?: number;
  /** Inertia per joint (default 0.05). */
  mass?: number;
  /** Viscous damping per joint (default 0.1). */
  damping?: number;
  /** Constant load torque on joint 0 (default 0.5), compensated through `bias`. */
  gravity?: number;
  physicsHz?: number;
  controlHz?: number;
  name?: string;
}

export function doubleIntegratorSpec(o: DoubleIntegratorOptions = {}): EmbodimentSpec {
  const n = o.joints ?? 3;
  const joints = Array.from({ length: n }, (_, i) => ({
    name: `j${i}`,
    kind: 'slide' as const,
    lower: -1,
    upper: 1,
    maxVelocity: 1.5,
    maxTorque: 8,
    kp: 40,
    kd: 2.5,
  }));
  return {
    name: o.name ?? 'di',
    robotType: 'double_integrator',
    joints,
    stateNames: joints.map((j) => j.name),
    actionNames: joints.map((j) => j.name),
    cameras: [],
    controlHz: o.controlHz ?? 50,
    physicsHz: o.physicsHz ?? 500,
  };
}

export class DoubleIntegratorDriver implements RobotDriver {
  readonly spec: EmbodimentSpec;
  readonly q: Float64Array;
  readonly qd: Float64Array;
  private readonly tau: Float64Array;
  private readonly bias: Float64Array;
  private steps = 0;
  private readonly m: number;
  private readonly b: number;
  private readonly g: number;
  /** Every command received (for tests that check limits). */
  readonly commands: RobotCommand[] = [];
  recordCommands = false;

  constructor(o: DoubleIntegratorOptions = {}, q0?: ArrayLike<number>) {
    this.spec = doubleIntegratorSpec(o);
    const n = this.spec.joints.length;
    this.q = new Float64Array(n);
    if (q0) this.q.set(Array.from(q0).slice(0, n));
    this.qd = new Float64Array(n);
    this.tau = new Float64Array(n);
    this.bias = new Float64Array(n);
    this.m = o.mass ?? 0.05;
    this.b = o.damping ?? 0.1;
    this.g = o.gravity ?? 0.5;
    this.bias[0] = this.g;
  }

  get time(): number {
    return this.steps / this.spec.physicsHz;
  }

  read(): RobotState {
    return {
      time: this.time,
      q: Float64Array.from(this.q),
      qd: Float64Array.from(this.qd),
      bias: Float64Array.from(this.bias),
      state: Float32Array.from(this.q),
    };
  }

  images(): Record<string, Uint8Array> {
    return {};
  }

  command(cmd: RobotCommand): void {
    if (this.recordCommands) this.commands.push(structuredClone(cmd));
    if (cmd.kind === 'torque') this.tau.set(cmd.tau);
    else {
      // Position-controlled mode: track with the spec's gains internally.
      this.spec.joints.forEach((j, i) => {
        this.tau[i] = j.kp * (cmd.q[i] - this.q[i]) - j.kd * this.qd[i] + this.bias[i];
      });
    }
  }

  advance(): void {
    const dt = 1 / this.spec.physicsHz;
    for (let i = 0; i < this.q.length; i++) {
      const load = i === 0 ? this.g : 0;
      const acc = (this.tau[i] - load - this.b * this.qd[i]) / this.m;
      this.qd[i] += acc * dt;
      this.q[i] += this.qd[i] * dt;
    }
    this.steps++;
  }

  dispose(): void {}
}
