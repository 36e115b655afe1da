import {
  type ActionChunk,
  EMBODIMENTS,
  type EmbodimentSpec,
  type Observation,
  type Policy,
  type PolicyMetadata,
  ValidationError,
} from '@robofm/core';

export interface HoldSinePolicyOptions {
  /** Bodies to serve (default: every built-in embodiment). */
  embodiments?: EmbodimentSpec[];
  /** Actions per chunk (default 16). */
  horizon?: number;
  /** Sinusoid amplitude as a fraction of each joint's range (default 0.02; 0 = pure hold). */
  amplitude?: number;
  /** Sinusoid frequency (Hz, default 0.5). */
  frequencyHz?: number;
  /** Simulated compute per call: `fixedMs + perItemMs * batch` (default 0), to exercise batching. */
  fixedMs?: number;
  perItemMs?: number;
  /** Model id (default `scripted-hold-sine`). */
  id?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
/** The float32 nearest to `x` on the inside of [lo, hi] (so stored actions never exceed a limit). */
function f32Within(x: number, lo: number, hi: number): number {
  const v = Math.min(hi, Math.max(lo, x));
  F32[0] = v;
  if (F32[0] > hi) I32[0] += F32[0] > 0 ? -1 : 1;
  else if (F32[0] < lo) I32[0] += F32[0] > 0 ? 1 : -1;
  return F32[0];
}

/**
 * A scripted policy, not a model: for each embodiment it holds the current joint positions (when
 * the state starts with them, else the middle of each joint's range) and adds a small, smooth,
 * deterministic sinusoid over the chunk, clamped to the joint limits. It is what `robofm serve`
 * serves when no trained checkpoint exists, and what the server tests drive.
 */
export class HoldSinePolicy implements Policy {
  readonly metadata: PolicyMetadata;
  private readonly specs: Record<string, EmbodimentSpec>;
  private readonly opts: Required<Omit<HoldSinePolicyOptions, 'embodiments' | 'id'>>;
  /** Calls to the policy (batched calls count once). */
  calls = 0;

  constructor(options: HoldSinePolicyOptions = {}) {
    const specs = options.embodiments ?? Object.values(EMBODIMENTS);
    this.specs = Object.fromEntries(specs.map((s) => [s.name, s]));
    this.opts = {
      horizon: options.horizon ?? 16,
      amplitude: options.amplitude ?? 0.02,
      frequencyHz: options.frequencyHz ?? 0.5,
      fixedMs: options.fixedMs ?? 0,
      perItemMs: options.perItemMs ?? 0,
    };
    if (!Number.isInteger(this.opts.horizon) || this.opts.horizon < 1)
      throw new ValidationError('horizon', this.opts.horizon, 'a positive integer');
    this.metadata = {
      id: options.id ?? 'scripted-hold-sine',
      actionHorizon: this.opts.horizon,
      embodiments: Object.fromEntries(
        specs.map((s) => [
          s.name,
          {
            stateDim: s.stateNames.length,
            actionDim: s.actionNames.length,
            cameras: s.cameras,
            controlHz: s.controlHz,
          },
        ]),
      ),
      extra: { kind: 'scripted', amplitude: this.opts.amplitude },
    };
  }

  async infer(obs: Observation): Promise<ActionChunk> {
    return (await this.inferBatch([obs]))[0];
  }

  async inferBatch(obs: Observation[]): Promise<ActionChunk[]> {
    this.calls++;
    const t0 = performance.now();
    const cost = this.opts.fixedMs + this.opts.perItemMs * obs.length;
    if (cost > 0) await sleep(cost);
    const out = obs.map((o, i) => this.chunkFor(o, i));
    const inferMs = performance.now() - t0;
    for (const c of out) c.timing.inferMs = inferMs;
    return out;
  }

  private chunkFor(o: Observation, i: number): ActionChunk {
    const spec = this.specs[o.embodiment];
    if (!spec)
      throw new ValidationError(
        `obs[${i}].embodiment`,
        o.embodiment,
        `one of ${Object.keys(this.specs).join(', ')}`,
      );
    const D = spec.actionNames.length;
    const H = this.opts.horizon;
    const actions = new Float32Array(H * D);
    const t0 = o.timestamp ?? 0;
    const stateHasJoints = o.state.length >= D;
    for (let j = 0; j < D; j++) {
      const jt = spec.joints[j];
      const lo = jt ? jt.lower : -1;
      const hi = jt ? jt.upper : 1;
      const base = stateHasJoints ? o.state[j] : (lo + hi) / 2;
      const amp = this.opts.amplitude * (hi - lo);
      for (let k = 0; k < H; k++) {
        const t = t0 + k / spec.controlHz;
        const v = base + amp * Math.sin(2 * Math.PI * this.opts.frequencyHz * t + j);
        actions[k * D + j] = f32Within(v, lo, hi);
      }
    }
    return { actions, horizon: H, actionDim: D, timing: { inferMs: 0 } };
  }
}
