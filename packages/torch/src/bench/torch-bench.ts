/**
 * `robofm bench torch`: trains the same models op by op in TypeScript and in PyTorch eager (a
 * persistent Python child, same libtorch, same threads, same weights and batch), interleaving blocks
 * of steps so machine noise hits both sides alike. Also: per-op overhead and RSS over a long loop.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProgressBar } from '@robofm/core';
import { manualSeed, randint, randn } from '../creation.ts';
import { getBlasThreads, getNumThreads } from '../device.ts';
import * as F from '../functional.ts';
import { saveSafetensors } from '../io/safetensors.ts';
import type { Module } from '../nn/module.ts';
import { AdamW } from '../optim/adamw.ts';
import { findPython } from '../python.ts';
import { keep, liveTensors, nextStep, scope } from '../scope.ts';
import { tensor } from '../creation.ts';
import type { Tensor } from '../tensor.ts';
import { BenchCNN, BenchTransformer } from './models.ts';

export interface TorchBenchOptions {
  /** Interleaved rounds; each round runs `stepsPerRound` steps per side. */
  rounds?: number;
  stepsPerRound?: number;
  warmup?: number;
  /** 1-element adds per op-overhead sample. */
  opIters?: number;
  /** Steps of the RSS run (RSS is sampled at step 100 and at the last step). */
  rssSteps?: number;
  /** Skip the Python side (TS numbers only). */
  noPython?: boolean;
  log?: (line: string) => void;
}

export interface ModelTiming {
  ts_ms: number;
  py_ms: number | null;
  ratio: number | null;
}

export interface TorchBenchResult {
  transformer: ModelTiming;
  cnn: ModelTiming;
  op_overhead_us: { ts: number; py: number | null };
  rss_mb: { step100: number; step2000: number };
  detail: {
    python: string | null;
    torchThreads: number;
    blasThreads: number;
    stepsTimed: number;
    /** Median over rounds of (ts step / py step) within the same round: robust to load drift. */
    pairedRatio: { transformer: number | null; cnn: number | null };
    /** Wall-clock µs per op (medians); the JSON reports CPU time. */
    opWallUs: { ts: number; py: number | null };
    lossMaxAbsDiff: { transformer: number | null; cnn: number | null };
    tsSamples: { transformer: number[]; cnn: number[] };
    pySamples: { transformer: number[]; cnn: number[] };
    rssSteps: number;
    rssModel: string;
    liveTensorsAfter: number;
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

class PyRef {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly queue: ((line: string) => void)[] = [];
  private stderr = '';

  constructor(python: string, threads: number) {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_reference.py');
    this.proc = spawn(python, [script, String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (l) => this.queue.shift()?.(l));
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`python reference exited: ${this.stderr}`));
      this.proc.once('exit', onExit);
      this.queue.push((line) => {
        this.proc.off('exit', onExit);
        const msg = JSON.parse(line);
        if (msg.error) reject(new Error(`python reference: ${msg.error}`));
        else resolve(msg);
      });
    });
  }

  ready(): Promise<Record<string, unknown>> {
    return this.next();
  }

  call(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const p = this.next();
    this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    return p;
  }

  close(): void {
    this.proc.stdin.write('{"cmd":"quit"}\n');
    this.proc.stdin.end();
  }
}

interface Trainer {
  step(): number;
  dispose(): void;
  times: number[];
  losses: number[];
}

function makeTrainer(model: Module, loss: (out: Tensor) => Tensor, x: Tensor, lr: number): Trainer {
  const opt = new AdamW(model.parameters(), { lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
  const t: Trainer = {
    times: [],
    losses: [],
    step() {
      const t0 = performance.now();
      const l = scope(() => {
        const out = loss(model.forward(x));
        out.backward();
        return out.item();
      });
      opt.step();
      opt.zeroGrad();
      const ms = performance.now() - t0;
      t.times.push(ms);
      t.losses.push(l);
      return ms;
    },
    dispose() {
      opt.dispose();
    },
  };
  return t;
}

async function timeModel(
  name: 'transformer' | 'cnn',
  build: () => { model: Module; x: Tensor; y: Tensor; loss: (o: Tensor) => Tensor; lr: number },
  py: PyRef | null,
  dir: string,
  o: Required<Omit<TorchBenchOptions, 'log' | 'noPython'>>,
  bar: ProgressBar,
): Promise<{ ts: number[]; py: number[]; tsLoss: number[]; pyLoss: number[] }> {
  manualSeed(0);
  const { model, x, y, loss, lr } = build();
  const weights = join(dir, `${name}.weights.safetensors`);
  const data = join(dir, `${name}.data.safetensors`);
  saveSafetensors(weights, model.stateDict());
  saveSafetensors(data, { x, y });
  if (py) await py.call({ cmd: 'setup', model: name, weights, data, lr });
  const tr = makeTrainer(model, loss, x, lr);
  const pyTimes: number[] = [];
  const pyLosses: number[] = [];
  const runPy = async (n: number) => {
    if (!py) return;
    const r = (await py.call({ cmd: 'steps', model: name, n })) as { times_ms: number[]; losses: number[] };
    pyTimes.push(...r.times_ms);
    pyLosses.push(...r.losses);
  };
  const runTs = async (n: number) => {
    for (let i = 0; i < n; i++) {
      tr.step();
      await nextStep();
    }
  };
  await runPy(o.warmup);
  await runTs(o.warmup);
  bar.tick(o.warmup, name);
  const tsStart = tr.times.length;
  const pyStart = pyTimes.length;
  for (let r = 0; r < o.rounds; r++) {
    if (r % 2 === 0) {
      await runPy(o.stepsPerRound);
      await runTs(o.stepsPerRound);
    } else {
      await runTs(o.stepsPerRound);
      await runPy(o.stepsPerRound);
    }
    bar.tick(o.stepsPerRound, `${name} ts ${median(tr.times.slice(tsStart)).toFixed(1)} ms`);
  }
  const result = {
    ts: tr.times.slice(tsStart),
    py: pyTimes.slice(pyStart),
    tsLoss: tr.losses,
    pyLoss: pyLosses,
  };
  tr.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  return result;
}

/** µs per (1-element add + dispose): wall clock and process CPU time. */
function opOverheadTs(iters: number): { wall: number; cpu: number } {
  const a = keep(tensor([1]));
  const b = keep(tensor([2]));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    const z = a.add(b);
    z.dispose();
  }
  const wall = ((performance.now() - t0) * 1000) / iters;
  const c = process.cpuUsage(c0);
  a.dispose();
  b.dispose();
  return { wall, cpu: (c.user + c.system) / iters };
}

async function rssRun(steps: number, bar: ProgressBar): Promise<{ step100: number; last: number }> {
  manualSeed(0);
  const model = new BenchTransformer();
  const x = keep(randn([4, 32, 128]));
  const y = keep(randn([4, 32, 128]));
  const tr = makeTrainer(model, (o) => F.mseLoss(o, y), x, 1e-3);
  let step100 = 0;
  let last = 0;
  for (let s = 1; s <= steps; s++) {
    tr.step();
    await nextStep();
    if (s === Math.min(100, steps)) step100 = process.memoryUsage.rss() / 2 ** 20;
    if (s % 50 === 0) bar.tick(50, `rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`);
  }
  last = process.memoryUsage.rss() / 2 ** 20;
  tr.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  return { step100, last };
}

export async function benchTorch(opts: TorchBenchOptions = {}): Promise<TorchBenchResult> {
  const o = {
    rounds: opts.rounds ?? 24,
    stepsPerRound: opts.stepsPerRound ?? 1,
    warmup: opts.warmup ?? 3,
    opIters: opts.opIters ?? 100_000,
    rssSteps: opts.rssSteps ?? 2000,
  };
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const python = opts.noPython ? null : findPython(['torch', 'numpy']);
  if (!python && !opts.noPython) log('bench torch: no python3 with torch + numpy found: Python side skipped');
  const threads = getNumThreads();
  const py = python ? new PyRef(python, threads) : null;
  if (py) {
    const r = await py.ready();
    log(
      `bench torch: python ${python} torch ${r.torch}, threads ${r.threads}; ts threads ${threads}, blas ${getBlasThreads()}`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'robofm-bench-torch-'));
  const perModel = o.warmup + o.rounds * o.stepsPerRound;
  const bar = new ProgressBar({ total: 2 * perModel + o.rssSteps, label: 'bench torch', unit: 'step' });
  try {
    const tf = await timeModel(
      'transformer',
      () => {
        const model = new BenchTransformer();
        const x = keep(randn([32, 80, 128]));
        const y = keep(randn([32, 80, 128]));
        return { model, x, y, loss: (out) => F.mseLoss(out, y), lr: 1e-3 };
      },
      py,
      dir,
      o,
      bar,
    );
    const cnn = await timeModel(
      'cnn',
      () => {
        const model = new BenchCNN();
        const x = keep(randn([64, 3, 64, 64]));
        const y = keep(randint(0, 10, [64]));
        return { model, x, y, loss: (out) => F.crossEntropy(out, y), lr: 1e-3 };
      },
      py,
      dir,
      o,
      bar,
    );
    // Per-op overhead: 5 interleaved samples per side (alternating which goes first), medians of
    // CPU time per op (robust on a shared machine; Python: its thread's CPU time, TS: the whole
    // process's, which also counts V8's helper threads). Wall-clock medians go to the detail.
    const opTs: { wall: number; cpu: number }[] = [];
    const opPy: { wall: number; cpu: number }[] = [];
    opOverheadTs(Math.min(o.opIters, 10_000)); // warm up the JIT
    for (let r = 0; r < 5; r++) {
      const pyRun = async () => {
        if (!py) return;
        const m = (await py.call({ cmd: 'opbench', n: o.opIters })) as {
          us_per_op: number;
          cpu_us_per_op: number;
        };
        opPy.push({ wall: m.us_per_op, cpu: m.cpu_us_per_op });
      };
      if (r % 2 === 0) await pyRun();
      opTs.push(opOverheadTs(o.opIters));
      if (r % 2 === 1) await pyRun();
      await nextStep();
    }
    py?.close();
    const rss = await rssRun(o.rssSteps, bar);
    bar.finish();
    const timing = (t: { ts: number[]; py: number[] }): ModelTiming => {
      const ts = median(t.ts);
      const p = t.py.length ? median(t.py) : null;
      return {
        ts_ms: round(ts, 2),
        py_ms: p === null ? null : round(p, 2),
        ratio: p === null ? null : round(ts / p, 3),
      };
    };
    const paired = (t: { ts: number[]; py: number[] }) => {
      if (t.py.length !== t.ts.length || t.py.length === 0) return null;
      return round(median(t.ts.map((v, i) => v / t.py[i])), 3);
    };
    const lossDiff = (t: { tsLoss: number[]; pyLoss: number[] }) => {
      if (!t.pyLoss.length) return null;
      const n = Math.min(t.tsLoss.length, t.pyLoss.length);
      let m = 0;
      for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(t.tsLoss[i] - t.pyLoss[i]));
      return m;
    };
    return {
      transformer: timing(tf),
      cnn: timing(cnn),
      op_overhead_us: {
        ts: round(median(opTs.map((x) => x.cpu)), 3),
        py: opPy.length ? round(median(opPy.map((x) => x.cpu)), 3) : null,
      },
      rss_mb: { step100: round(rss.step100, 1), step2000: round(rss.last, 1) },
      detail: {
        python,
        torchThreads: threads,
        blasThreads: getBlasThreads(),
        stepsTimed: o.rounds * o.stepsPerRound,
        pairedRatio: { transformer: paired(tf), cnn: paired(cnn) },
        opWallUs: {
          ts: round(median(opTs.map((x) => x.wall)), 3),
          py: opPy.length ? round(median(opPy.map((x) => x.wall)), 3) : null,
        },
        lossMaxAbsDiff: { transformer: lossDiff(tf), cnn: lossDiff(cnn) },
        tsSamples: { transformer: tf.ts.map((v) => round(v, 1)), cnn: cnn.ts.map((v) => round(v, 1)) },
        pySamples: { transformer: tf.py.map((v) => round(v, 1)), cnn: cnn.py.map((v) => round(v, 1)) },
        rssSteps: o.rssSteps,
        rssModel: 'transformer d128 4 layers, batch 4 x 32 tokens, AdamW, one event-loop yield per step',
        liveTensorsAfter: liveTensors(),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
