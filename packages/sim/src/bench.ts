/**
 * `robofm bench sim`: physics steps/s of the arm6 scene (WASM vs Debian's native
 * `mujoco-testspeed` on the same XML, interleaved), render fps at 64/96/128, and env policy-steps/s
 * with two 96×96 cameras, single and vectorized. Rounds interleave the contenders; medians win.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arm6Spec, ProgressBar } from '@robofm/core';
import { defaultScene } from './default-scene.ts';
import { SimEnv } from './env.ts';
import { buildMjcf } from './mjcf.ts';
import { compileMjcf, deleteData, deleteModel, loadMujocoModule, mujocoModule, newData } from './mujoco.ts';
import { makeRng } from './rng.ts';
import { getRobot } from './robots/index.ts';
import { VecEnv } from './vec-env.ts';

export interface SimBenchOptions {
  rounds?: number;
  physicsSteps?: number;
  renderFrames?: number;
  envSteps?: number;
  vecEnvs?: number;
  /** Path of `mujoco-testspeed` (default: $ROBOFM_MUJOCO_TESTSPEED, /usr/bin/mujoco-testspeed, PATH). */
  testspeed?: string | null;
}

export interface SimBenchResult {
  physics: { wasm_steps_per_s: number; native_steps_per_s: number | null; ratio: number | null };
  render_fps: { '64': number; '96': number; '128': number };
  env_steps_per_s: { single: number; vectorized: number };
  detail: {
    rounds: number;
    physicsSteps: number;
    envWasmStepsPerS: number;
    nativeBinary: string | null;
    nativeSamples: number[];
    wasmSamples: number[];
    vecEnvs: number;
    /** 96² front camera with every pixel re-cast (no static-background cache). */
    render96FullRecastFps: number;
    /** 96² wrist camera while the arm moves (camera moves: every pixel re-cast). */
    render96WristFps: number;
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
    : Number.NaN;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function findTestspeed(explicit?: string | null): string | null {
  if (explicit === null) return null;
  const cands = [explicit, process.env.ROBOFM_MUJOCO_TESTSPEED, '/usr/bin/mujoco-testspeed'].filter(
    Boolean,
  ) as string[];
  for (const c of cands) if (existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, 'mujoco-testspeed');
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** The arm6 benchmark scene as MJCF that MuJoCo 2.2.2 also accepts (no `<size memory>`, `implicit`, capsules for cylinder objects). */
export function benchXml(): string {
  const xml = buildMjcf(getRobot('arm6'), arm6Spec, defaultScene('arm6', makeRng(0))).xml;
  return xml
    .replace(/<size memory="[^"]*"\/>/, '')
    .replace('integrator="implicitfast"', 'integrator="implicit"')
    .replace(/(<geom name="obj_[^"]*" )type="cylinder"/g, '$1type="capsule"');
}

/** Native steps/s from `mujoco-testspeed file nstep 1 0` (no control noise, same as the WASM run). */
function nativeSteps(bin: string, file: string, steps: number): number {
  const out = execFileSync(bin, [file, String(steps), '1', '0'], { encoding: 'utf8', timeout: 120_000 });
  const m = /Steps per second\s*:\s*([\d.]+)/.exec(out);
  if (!m) throw new Error(`could not parse mujoco-testspeed output: ${out.slice(0, 300)}`);
  return Number(m[1]);
}

/** WASM steps/s on the same XML, from reset, zero controls. */
function wasmSteps(xml: string, steps: number): number {
  const mj = mujocoModule();
  const model = compileMjcf(xml);
  const data = newData(model);
  try {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) mj.mj_step(model, data);
    return steps / ((performance.now() - t0) / 1000);
  } finally {
    deleteData(data);
    deleteModel(model);
  }
}

function policyTargets(env: SimEnv, n: number): Float32Array[] {
  const rng = makeRng(1);
  const home = env.world.jointPositions();
  return Array.from({ length: n }, () =>
    Float32Array.from(env.spec.joints, (j, i) =>
      Math.min(j.upper, Math.max(j.lower, home[i] + rng.uniform(-0.3, 0.3) * Math.min(1, j.upper - j.lower))),
    ),
  );
}

export async function benchSim(opts: SimBenchOptions = {}): Promise<SimBenchResult> {
  await loadMujocoModule();
  const rounds = opts.rounds ?? 3;
  const physicsSteps = opts.physicsSteps ?? 20_000;
  const frames = opts.renderFrames ?? 200;
  const envSteps = opts.envSteps ?? 100;
  const vecEnvs = opts.vecEnvs ?? 2;
  const bin = findTestspeed(opts.testspeed);
  const xml = benchXml();
  const dir = mkdtempSync(join(tmpdir(), 'robofm-bench-sim-'));
  const file = join(dir, 'arm6.xml');
  writeFileSync(file, xml);
  const bar = new ProgressBar({ total: rounds * 4 + 2, label: 'bench sim', unit: 'stage' });
  try {
    // Warm up WebAssembly tier-up (the first ~10k steps run slower).
    wasmSteps(xml, 15_000);
    const env = new SimEnv({ embodiment: 'arm6', maxSteps: 1_000_000 });
    env.reset({ seed: 0 });
    const targets = policyTargets(env, 64);
    for (let i = 0; i < 20; i++) env.step(targets[i % targets.length]);
    const vec = await VecEnv.create({
      n: vecEnvs,
      workers: Math.min(vecEnvs, 2),
      env: { embodiment: 'arm6', maxSteps: 1_000_000 },
    });
    await vec.reset({ seed: 0 });
    for (let i = 0; i < 10; i++)
      await vec.step(Array.from({ length: vecEnvs }, (_, k) => targets[(i + k) % targets.length]));
    bar.tick(2, 'warm-up');

    const wasm: number[] = [];
    const native: number[] = [];
    const envW: number[] = [];
    const fps: Record<number, number[]> = { 64: [], 96: [], 128: [] };
    const fullFps: number[] = [];
    const wristFps: number[] = [];
    const single: number[] = [];
    const vectorized: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Physics: WASM and native back to back on the same XML.
      if (bin) native.push(nativeSteps(bin, file, physicsSteps));
      wasm.push(wasmSteps(xml, physicsSteps));
      const w = env.world;
      const t0 = performance.now();
      for (let i = 0; i < physicsSteps; i++) w.physicsStep();
      envW.push(physicsSteps / ((performance.now() - t0) / 1000));
      bar.tick(1, `wasm ${round(median(wasm), 0)}/s native ${bin ? round(median(native), 0) : '-'}/s`);
      // Render: the front camera at each size while the arm moves (one physics step between
      // frames, not timed); then every pixel re-cast (no static cache) and the moving wrist camera.
      const timeFrames = (cam: string, s: number, n: number, cache: boolean) => {
        let ms = 0;
        for (let i = 0; i < n; i++) {
          w.setTargets(targets[Math.floor(i / 10) % targets.length]);
          w.physicsStep();
          const t = performance.now();
          env.render(cam, { width: s, height: s, cache });
          ms += performance.now() - t;
        }
        return n / (ms / 1000);
      };
      for (const s of [64, 96, 128])
        fps[s].push(timeFrames('front', s, Math.max(20, Math.round((frames * 96 * 96) / (s * s))), true));
      fullFps.push(timeFrames('front', 96, Math.round(frames / 2), false));
      wristFps.push(timeFrames('wrist', 96, Math.round(frames / 2), true));
      bar.tick(1, `96² ${round(median(fps[96]), 0)} fps`);
      // Env policy steps: single env, then the vectorized env.
      let t = performance.now();
      for (let i = 0; i < envSteps; i++) env.step(targets[i % targets.length]);
      single.push(envSteps / ((performance.now() - t) / 1000));
      bar.tick(1);
      t = performance.now();
      const vSteps = Math.max(1, Math.round(envSteps / vecEnvs));
      for (let i = 0; i < vSteps; i++)
        await vec.step(Array.from({ length: vecEnvs }, (_, k) => targets[(i + k) % targets.length]));
      vectorized.push((vSteps * vecEnvs) / ((performance.now() - t) / 1000));
      bar.tick(1, `env ${round(median(single))}/s vec ${round(median(vectorized))}/s`);
    }
    bar.finish();
    env.dispose();
    await vec.close();
    const wasmMed = median(wasm);
    const nativeMed = bin ? median(native) : null;
    return {
      physics: {
        wasm_steps_per_s: round(wasmMed, 0),
        native_steps_per_s: nativeMed === null ? null : round(nativeMed, 0),
        ratio: nativeMed === null ? null : round(wasmMed / nativeMed, 3),
      },
      render_fps: {
        '64': round(median(fps[64])),
        '96': round(median(fps[96])),
        '128': round(median(fps[128])),
      },
      env_steps_per_s: { single: round(median(single)), vectorized: round(median(vectorized)) },
      detail: {
        rounds,
        physicsSteps,
        envWasmStepsPerS: round(median(envW), 0),
        nativeBinary: bin,
        nativeSamples: native.map((x) => round(x, 0)),
        wasmSamples: wasm.map((x) => round(x, 0)),
        vecEnvs,
        render96FullRecastFps: round(median(fullFps)),
        render96WristFps: round(median(wristFps)),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
