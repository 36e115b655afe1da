import type { ActionChunk, Observation, Policy, PolicyMetadata } from '@robofm/core';
import { EMBODIMENTS, ValidationError } from '@robofm/core';
import { Generator, type Tensor, noGrad, scope } from '@robofm/torch';
import { heatmapPeak, keypointToUv, toTensorBatch, whereReadout } from './backbone.ts';
import { type LoadedCheckpoint, demoCheckpointDir, loadCheckpoint } from './checkpoint.ts';
import { unnormalizeVector } from './normalize.ts';
import { Processor, type RawSample } from './processor.ts';

export interface LocalPolicyOptions {
  /** Seed of the sampling noise (same seed + same obs → same chunk). */
  seed?: number;
  /**
   * Rows of each predicted chunk returned for execution before the next observation is asked
   * for (receding horizon). Default: the checkpoint's `meta.executeHorizon`, else the full H.
   */
  executeHorizon?: number;
}

/**
 * The VLA as a `Policy`: normalize → sample → unnormalize → unpad, in this process. Batched
 * inference (`inferBatch`) runs one forward pass for many observations, of any mix of bodies.
 */
export class LocalPolicy implements Policy {
  readonly metadata: PolicyMetadata;
  readonly checkpoint: LoadedCheckpoint;
  private readonly processor: Processor;
  private readonly generator: Generator;
  private readonly seed: number;
  /** Rows per returned chunk (≤ H). */
  readonly executeHorizon: number;
  /** Per body: [low, high] per action dim (joint limits when the body is known, else data range). */
  private readonly limits: Record<string, { low: Float32Array; high: Float32Array }> = {};

  /** Loads `dir` (a checkpoint dir, a run dir with `latest`, or `demo`). */
  constructor(dir: string, opts: LocalPolicyOptions = {}) {
    this.checkpoint = loadCheckpoint(dir);
    const { config, normStats, tokenizer } = this.checkpoint;
    this.processor = new Processor(config.model, normStats, tokenizer);
    this.seed = opts.seed ?? 0;
    this.generator = new Generator(this.seed);
    const m = config.model;
    const eh = opts.executeHorizon ?? Number(config.meta.executeHorizon ?? m.horizon);
    if (!Number.isInteger(eh) || eh < 1 || eh > m.horizon)
      throw new ValidationError('executeHorizon', eh, `an integer in [1, ${m.horizon}]`);
    this.executeHorizon = eh;
    for (const [name, e] of Object.entries(m.embodiments))
      this.limits[name] = actionLimits(name, e.actionDim, normStats[name].action);
    this.metadata = {
      id: String(config.meta.id ?? `robofm-vla-${m.kind}`),
      actionHorizon: eh,
      embodiments: Object.fromEntries(
        Object.entries(m.embodiments).map(([name, e]) => [
          name,
          { stateDim: e.stateDim, actionDim: e.actionDim, cameras: e.cameras, controlHz: e.controlHz },
        ]),
      ),
      extra: {
        kind: m.kind,
        step: config.step,
        preset: config.meta.preset,
        checkpoint: this.checkpoint.dir,
        predictedHorizon: m.horizon,
      },
    };
  }

  static async load(dir: string, opts?: LocalPolicyOptions): Promise<LocalPolicy> {
    return new LocalPolicy(dir, opts);
  }

  /** The checkpoint shipped in the repo. */
  static demo(opts?: LocalPolicyOptions): LocalPolicy {
    return new LocalPolicy(demoCheckpointDir(), opts);
  }

  async infer(obs: Observation): Promise<ActionChunk> {
    return (await this.inferBatch([obs]))[0];
  }

  async inferBatch(obs: Observation[]): Promise<ActionChunk[]> {
    return this.inferBatchSync(obs);
  }

  /** Observations → the processor's raw samples (the body must be one the model drives). */
  private samples(obs: Observation[]): RawSample[] {
    const m = this.checkpoint.config.model;
    return obs.map((o, i) => {
      if (!m.embodiments[o.embodiment])
        throw new ValidationError(
          `obs[${i}].embodiment`,
          o.embodiment,
          `one of ${Object.keys(m.embodiments).join(', ')}`,
        );
      return { embodiment: o.embodiment, images: o.images, state: o.state, instruction: o.instruction };
    });
  }

  /**
   * What the model believes about the scene, per observation, from one backbone pass:
   * - `focus`: its auxiliary read-out (the cast or peak read-out with `model.castReadout` or
   *   `model.peakReadout`, else the query token's), in the units of the training data's
   *   `observation.environment_state` (for sim goal tasks: world x/y/z of the named object and of
   *   its destination); undefined when the model has no auxiliary task;
   * - `pixels`: where its focus heatmaps (keypoint channels 0–1, trained with `model.focusWeight`)
   *   peak, camera → [object u, v, destination u, v] in normalized image coordinates (u right,
   *   v down); undefined when the model was not trained with them;
   * - `keypointPixels`: the same two points as the keypoint tokens carry them to the backbone and the
   *   action expert (the spatial softmax's expected position at `model.focusSharpness`);
   * - `hand`: where the learned kinematics (`model.eeDim`) puts the end effectors, world x/y/z each.
   */
  perceive(obs: Observation[]): {
    focus?: Float32Array[];
    pixels?: Array<Record<string, number[]>>;
    keypointPixels?: Array<Record<string, number[]>>;
    hand?: Float32Array[];
  } {
    const m = this.checkpoint.config.model;
    if (m.auxDim === 0 && m.focusWeight === 0 && m.eeDim === 0) return {};
    const batch = this.processor.collate(this.samples(obs));
    const { aux, heat, kp, ee } = noGrad(() =>
      scope(() => {
        const tb = toTensorBatch(batch, m);
        const bb = this.checkpoint.model.backbone;
        const { prefix, maps } = bb.forward(tb);
        const r = bb.readouts(prefix, tb, maps, true);
        return {
          // The read-out the action expert uses (the cast or peak read-out when the model has one).
          aux: m.auxDim > 0 ? whereReadout(r)!.toFloat32Array() : undefined,
          heat: m.focusWeight > 0 ? maps!.heat.toFloat32Array() : undefined,
          kp: m.focusWeight > 0 ? maps!.keypoints.toFloat32Array() : undefined,
          ee: m.eeDim > 0 ? r.ee!.toFloat32Array() : undefined,
        };
      }),
    );
    /** Per observation: row i of `flat` (`width` wide), cut to the body's width and unnormalized by its `key` stats. */
    const unnormRows = (flat: Float32Array, width: number, key: 'env' | 'ee', what: string) =>
      obs.map((o, i) => {
        const st = this.checkpoint.normStats[o.embodiment][key];
        if (!st)
          throw new ValidationError(`norm_stats.${o.embodiment}.${key}`, undefined, `stats of ${what}`);
        return unnormalizeVector(flat.subarray(i * width, i * width + st.mean.length), st, m.normalization);
      });
    const focus = aux ? unnormRows(aux, m.auxDim, 'env', 'the environment state') : undefined;
    // where the learned kinematics puts the end effectors (world x/y/z each, the body's own width)
    const hand = ee ? unnormRows(ee, m.eeDim, 'ee', 'the end-effector positions') : undefined;
    const C = batch.cameras;
    /** camera → [object u, v, destination u, v] for each observation, from `read(i, slot)`. */
    const perCamera = (read: (i: number, slot: number) => number[]) =>
      obs.map((o, i) => {
        const out: Record<string, number[]> = {};
        m.embodiments[o.embodiment].cameras.forEach((cam, slot) => {
          if (batch.imageMask[i * C + slot]) out[cam.name] = read(i, slot);
        });
        return out;
      });
    if (!heat || !kp) return { focus, ...(hand ? { hand } : {}) };
    const RR = heat.length / (obs.length * C * 2);
    const r = Math.sqrt(RR);
    const KC = kp.length / (obs.length * C * 2); // keypoint channels
    return {
      focus,
      ...(hand ? { hand } : {}),
      pixels: perCamera((i, slot) => {
        const at = (k: number) => ((i * C + slot) * 2 + k) * RR;
        return [0, 1].flatMap((k) => heatmapPeak(heat.subarray(at(k), at(k) + RR)));
      }),
      keypointPixels: perCamera((i, slot) => {
        const at = (i * C + slot) * 2 * KC;
        return [0, 1].flatMap((k) => [keypointToUv(kp[at + k], r), keypointToUv(kp[at + KC + k], r)]);
      }),
    };
  }

  /**
   * Start of an episode. With an episode seed (evaluation passes the scene's) the sampling noise
   * restarts from (policy seed, episode seed), so an episode's chunks do not depend on which
   * episodes this policy ran before: evaluations repeat exactly however episodes meet workers.
   */
  reset(episodeSeed?: number): void {
    if (episodeSeed !== undefined) this.generator.manualSeed((this.seed * 1_000_003 + episodeSeed) % 2 ** 52);
  }

  /** Synchronous core of `inferBatch` (benchmarks call it directly). */
  inferBatchSync(obs: Observation[]): ActionChunk[] {
    const t0 = performance.now();
    const m = this.checkpoint.config.model;
    const batch = this.processor.collate(this.samples(obs));
    const t1 = performance.now();
    const out = scope(() => {
      const tb = toTensorBatch(batch, m);
      let actions: Tensor;
      if (this.checkpoint.model.config.kind === 'token') {
        const dimMask = new Float32Array(obs.length * m.maxActionDim);
        for (const [i, o] of obs.entries())
          dimMask.fill(1, i * m.maxActionDim, i * m.maxActionDim + m.embodiments[o.embodiment].actionDim);
        actions = (this.checkpoint.model as import('./token-vla.ts').TokenVla).sampleActions(tb, dimMask);
      } else
        actions = (this.checkpoint.model as import('./flow-vla.ts').FlowVla).sampleActions(
          tb,
          this.generator,
        );
      return actions.toFloat32Array();
    });
    const t2 = performance.now();
    const per = m.horizon * m.maxActionDim;
    return obs.map((o, i) => {
      const actions = this.processor.unpadActions(o.embodiment, out, i * per, o.state);
      const { low, high } = this.limits[o.embodiment];
      const A = low.length;
      for (let k = 0; k < actions.length; k++) {
        const d = k % A;
        actions[k] = Math.min(high[d], Math.max(low[d], actions[k]));
      }
      return {
        actions: actions.slice(0, this.executeHorizon * A),
        horizon: this.executeHorizon,
        actionDim: m.embodiments[o.embodiment].actionDim,
        timing: { inferMs: t2 - t0, modelMs: t2 - t1, batch: obs.length },
      };
    });
  }

  dispose(): void {
    for (const p of this.checkpoint.model.parameters()) p.dispose();
  }
}

/**
 * Where a body's actions must stay: its joint limits (core's spec, matched by action name) when
 * the body is a built-in one, else the range seen in the training data.
 */
function actionLimits(
  name: string,
  actionDim: number,
  stats: { min?: number[]; max?: number[]; mean: number[] },
): { low: Float32Array; high: Float32Array } {
  const low = new Float32Array(actionDim).fill(Number.NEGATIVE_INFINITY);
  const high = new Float32Array(actionDim).fill(Number.POSITIVE_INFINITY);
  const spec = EMBODIMENTS[name];
  if (spec && spec.actionNames.length === actionDim) {
    spec.actionNames.forEach((a, i) => {
      const j = spec.joints.find((jt) => jt.name === a);
      if (j) {
        low[i] = j.lower;
        high[i] = j.upper;
      }
    });
  }
  for (let i = 0; i < actionDim; i++) {
    if (Number.isFinite(low[i])) continue;
    if (stats.min && stats.max) {
      low[i] = stats.min[i];
      high[i] = stats.max[i];
    }
  }
  return { low, high };
}
