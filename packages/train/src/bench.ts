import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EmbodimentSpec,
  type Observation,
  ProgressBar,
  getEmbodiment,
  policyEmbodimentInfo,
} from '@robofm/core';
import { type EmbodimentInfo, LocalPolicy, type ModelConfig, resolveCheckpointDir } from '@robofm/policy';
import { deltaIndexFor } from './delta-index.ts';
import { type Episode, EpisodeSource } from './episodes.ts';
import { applyOverrides, getPreset } from './presets.ts';
import { train } from './trainer.ts';

export interface PolicyBenchResult {
  infer_ms: { p50: number; p99: number };
  infer_ms_b8: { p50: number; p99: number };
  train_samples_per_s: number;
  /** Context (not part of the required JSON line). */
  detail: {
    preset: string;
    checkpoint: string;
    iterations: number;
    trainSteps: number;
    batchSize: number;
    kind: string;
    /** Bodies of the synthetic training data (equal frames each). */
    bodies: string[];
    /**
     * With more than one body: samples/s with bodies mixed within each batch (`bodyBatches` false),
     * measured right after the one-body-per-batch run that gives `train_samples_per_s`.
     */
    mixedSamplesPerS?: number;
  };
}

function infoOf(spec: EmbodimentSpec): EmbodimentInfo {
  return {
    ...policyEmbodimentInfo(spec),
    deltaIndex: deltaIndexFor(spec.name, spec.stateNames, spec.actionNames),
  };
}

/** Synthetic episodes (random images and smooth joint trajectories) for throughput measurements. */
export function syntheticEpisodes(
  bodies: string[],
  o: { episodes: number; length: number; imageSize: number; seed?: number },
): { episodes: Episode[]; embodiments: Record<string, EmbodimentInfo> } {
  let s = (o.seed ?? 1) >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const episodes: Episode[] = [];
  const embodiments: Record<string, EmbodimentInfo> = {};
  for (const body of bodies) {
    const spec = getEmbodiment(body);
    embodiments[body] = infoOf(spec);
    for (let e = 0; e < o.episodes; e++) {
      const phase = rnd() * 6;
      const state: Float32Array[] = [];
      const action: Float32Array[] = [];
      const images: Record<string, Uint8Array[]> = {};
      for (const c of spec.cameras) images[c.name] = [];
      for (let t = 0; t < o.length; t++) {
        const q = Float32Array.from(spec.stateNames, (_, i) => Math.sin(phase + t * 0.1 + i));
        state.push(q);
        action.push(Float32Array.from(spec.actionNames, (_, i) => Math.sin(phase + (t + 1) * 0.1 + i)));
        for (const c of spec.cameras) {
          const img = new Uint8Array(o.imageSize * o.imageSize * 3);
          for (let i = 0; i < img.length; i++) img[i] = (rnd() * 255) | 0;
          images[c.name].push(img);
        }
      }
      episodes.push({
        embodiment: body,
        instruction: `put the red cube in the blue bin (${body})`,
        state,
        action,
        images,
        imageHeight: o.imageSize,
        imageWidth: o.imageSize,
      });
    }
  }
  return { episodes, embodiments };
}

function observationFor(spec: EmbodimentSpec, seed: number): Observation {
  const images: Record<string, Uint8Array> = {};
  for (const c of spec.cameras) {
    const img = new Uint8Array(c.width * c.height * 3);
    for (let i = 0; i < img.length; i++) img[i] = (i * 31 + seed * 17) & 255;
    images[c.name] = img;
  }
  return {
    embodiment: spec.name,
    images,
    state: Float32Array.from(spec.stateNames, (_, i) => Math.sin(i + seed)),
    instruction: 'put the red cube in the blue bin',
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * `robofm bench policy`: inference latency of one chunk (batch 1 and 8, arm6 observations) of a
 * checkpoint — the shipped demo one when present, else a freshly initialized model of the preset —
 * and training throughput (samples/s) of the preset on synthetic arm6 data.
 */
export async function benchPolicy(o: {
  preset?: string;
  checkpoint?: string;
  iterations?: number;
  trainSteps?: number;
  /** Bodies of the synthetic training data (default arm6). */
  bodies?: string[];
  progress?: boolean;
}): Promise<PolicyBenchResult> {
  const presetName = o.preset ?? 'demo';
  const iterations = o.iterations ?? 100;
  const trainSteps = o.trainSteps ?? 20;
  const tmp = mkdtempSync(join(tmpdir(), 'robofm-bench-policy-'));
  try {
    const bodies = o.bodies?.length ? o.bodies : ['arm6'];
    const arm6 = getEmbodiment('arm6');
    const throughput = async (bodyBatches: boolean, run: string) => {
      const cfg = applyOverrides(getPreset(presetName), {
        out: join(tmp, run),
        steps: String(trainSteps + 2),
        saveEvery: '1000000',
        warmupSteps: '1',
        resume: 'false',
        bodyBatches: String(bodyBatches),
      });
      const syn = syntheticEpisodes(bodies, { episodes: 4, length: 40, imageSize: cfg.model.imageSize });
      const source = new EpisodeSource(syn.episodes, syn.embodiments);
      // Training throughput: 2 warm-up steps excluded by timing the tail.
      const trained = await train({ config: cfg, source, progress: o.progress ?? true });
      // steady state: from the end of step 2 to the last step (metrics.jsonl has elapsed seconds)
      const recs = readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { step: number; elapsedS: number });
      const a = recs[1];
      const z = recs[recs.length - 1];
      const samplesPerS = ((z.step - a.step) * cfg.batchSize) / Math.max(1e-9, z.elapsedS - a.elapsedS);
      return { cfg, trained, samplesPerS };
    };
    const { cfg, trained, samplesPerS } = await throughput(true, 'run');
    const mixed = bodies.length > 1 ? (await throughput(false, 'mixed')).samplesPerS : undefined;

    let ckpt = o.checkpoint;
    if (!ckpt) {
      try {
        ckpt = resolveCheckpointDir('demo');
      } catch {
        ckpt = trained.checkpointDir;
      }
    }
    const policy = new LocalPolicy(ckpt);
    const m = policy.checkpoint.config.model as ModelConfig;
    const body = m.embodiments.arm6 ? arm6 : getEmbodiment(Object.keys(m.embodiments)[0]);
    const obs1 = observationFor(body, 1);
    const obs8 = Array.from({ length: 8 }, (_, i) => observationFor(body, i));
    const bar = new ProgressBar({
      total: 2 * iterations,
      label: 'bench policy infer',
      enabled: o.progress ?? true,
    });
    for (let i = 0; i < 5; i++) policy.inferBatchSync([obs1]);
    const b1: number[] = [];
    const b8: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // interleaved so both batch sizes see the same machine load
      let t = performance.now();
      policy.inferBatchSync([obs1]);
      b1.push(performance.now() - t);
      bar.tick();
      t = performance.now();
      policy.inferBatchSync(obs8);
      b8.push(performance.now() - t);
      bar.tick();
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    bar.finish();
    policy.dispose();
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      infer_ms: { p50: r3(percentile(b1, 50)), p99: r3(percentile(b1, 99)) },
      infer_ms_b8: { p50: r3(percentile(b8, 50)), p99: r3(percentile(b8, 99)) },
      train_samples_per_s: Math.round(samplesPerS * 10) / 10,
      detail: {
        preset: presetName,
        checkpoint: ckpt,
        iterations,
        trainSteps,
        batchSize: cfg.batchSize,
        kind: m.kind,
        bodies,
        ...(mixed !== undefined ? { mixedSamplesPerS: Math.round(mixed * 10) / 10 } : {}),
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
