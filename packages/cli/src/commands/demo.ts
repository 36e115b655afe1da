import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RobofmError, logger } from '@robofm/core';
import type { Command } from '../command.ts';

const ROBOFM_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'robofm.js');

/** One (task, body) the demo collects, trains on and evaluates. */
interface DemoSuite {
  task: string;
  embodiment: string;
  episodes: number;
  quickEpisodes: number;
  /** Fraction of --eval-episodes run for this suite (bimanual episodes are long). */
  evalShare: number;
  /** Sampling weight in the training mixture. */
  weight: number;
  /**
   * Perception-only scenes (`robofm sim scenes`) for the auxiliary "where" task in the full demo
   * (0 = none): this many with the robot at its start pose (weight 0.5) and as many with the arm in
   * demonstration poses (`--arm-poses demo`, weight 1); `--quick` trains without the auxiliary task.
   */
  scenes: number;
}

const SUITES: DemoSuite[] = [
  {
    task: 'pick_place',
    embodiment: 'arm6',
    episodes: 200,
    quickEpisodes: 16,
    evalShare: 1,
    weight: 3,
    scenes: 5000,
  },
  {
    task: 'handover',
    embodiment: 'bimanual',
    episodes: 30,
    quickEpisodes: 4,
    evalShare: 0.5,
    weight: 1,
    scenes: 0,
  },
];

/** Scene seeds for perception-only frames start here (the demonstrations use the first ones). */
const SCENE_SEED_START = 1000;

/** The two perception sets of a suite: start-pose scenes, then arm-pose scenes on later seeds. */
function perceptionSets(
  s: DemoSuite,
): Array<{ name: string; poses: 'start' | 'demo'; seedStart: number; weight: number }> {
  return [
    { name: `scenes-${s.scenes}`, poses: 'start', seedStart: SCENE_SEED_START, weight: 0.5 },
    { name: `poses-${s.scenes}`, poses: 'demo', seedStart: SCENE_SEED_START + s.scenes, weight: 1 },
  ];
}

interface SuiteResult {
  suite: string;
  episodes: number;
  success: number;
  ci95: [number, number];
}

/** Runs `robofm <args>` as a child process; resolves with its stdout (stderr passes through). */
function robofm(args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [ROBOFM_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', rej);
    p.on('close', (code) =>
      code === 0
        ? res(out)
        : rej(
            new RobofmError(
              'demo_step_failed',
              `robofm ${args.join(' ')} exited with ${code}: ${out.slice(-500)}`,
            ),
          ),
    );
  });
}

function episodesIn(dir: string, what: 'total_episodes' | 'total_frames' = 'total_episodes'): number {
  const p = join(dir, 'meta', 'info.json');
  if (!existsSync(p)) return 0;
  return Number((JSON.parse(readFileSync(p, 'utf8')) as Record<string, number>)[what] ?? 0);
}

/**
 * Appends expert episodes to `dir` until it holds `n`. A training scene the task generator cannot
 * lay out stops `sim collect`; the episodes before it are kept, and collection resumes one scene
 * seed further on (at most 20 such skips).
 */
async function collect(s: DemoSuite, n: number, dir: string): Promise<void> {
  let seed = episodesIn(dir);
  for (let skips = 0; ; skips++) {
    const before = episodesIn(dir);
    if (before >= n) return;
    try {
      await robofm([
        'sim',
        'collect',
        '--embodiment',
        s.embodiment,
        '--task',
        s.task,
        '--episodes',
        String(n - before),
        '--quality',
        'expert',
        '--scene-seeds',
        'train',
        '--seed-start',
        String(seed),
        '--out',
        dir,
      ]);
      return;
    } catch (e) {
      if (skips >= 20) throw e;
      const after = episodesIn(dir);
      logger.warn('collection stopped early; skipping one scene seed', {
        seed: seed + after - before,
        error: String(e).slice(0, 200),
      });
      seed += after - before + 1;
    }
  }
}

function lastJsonLine<T>(out: string): T {
  const lines = out.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (l.startsWith('{')) return JSON.parse(l) as T;
  }
  throw new RobofmError('demo_step_failed', `no JSON summary in output: ${out.slice(-300)}`);
}

async function evaluate(
  policy: string,
  suites: DemoSuite[],
  episodes: number,
  outDir: string,
  workers: number,
): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  for (const s of suites) {
    const name = `${s.task}/${s.embodiment}`;
    const dir = join(outDir, 'eval', `${s.task}-${s.embodiment}`);
    const out = await robofm([
      'eval',
      '--policy',
      policy,
      '--suite',
      name,
      '--episodes',
      String(Math.max(2, Math.round(episodes * s.evalShare))),
      '--workers',
      String(workers),
      '--json',
      '--out',
      dir,
    ]);
    const j = lastJsonLine<{
      suites: Record<string, { episodes: number; success: number; ci95: [number, number] }>;
    }>(out);
    const r = j.suites[name] ?? Object.values(j.suites)[0];
    results.push({ suite: name, episodes: r.episodes, success: r.success, ci95: r.ci95 });
  }
  return results;
}

function table(results: SuiteResult[]): string {
  const rows = results.map(
    (r) =>
      `${r.suite.padEnd(24)} ${String(r.episodes).padStart(8)} ${(r.success * 100).toFixed(1).padStart(8)}%  [${(r.ci95[0] * 100).toFixed(1)}, ${(r.ci95[1] * 100).toFixed(1)}]`,
  );
  return [`${'suite'.padEnd(24)} ${'episodes'.padStart(8)} ${'success'.padStart(9)}  95% CI`, ...rows].join(
    '\n',
  );
}

function htmlReport(o: {
  dir: string;
  results: SuiteResult[];
  checkpoint: string;
  lossPng?: string;
  train?: { steps: number; wallS: number; finalLoss: number; samplesPerS: number };
  quick: boolean;
}): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = o.results
    .map((r) => {
      const evalDir = join(o.dir, 'eval', r.suite.replace('/', '-'));
      const htmls = existsSync(join(evalDir, 'report.html'))
        ? `<a href="${esc(relative(o.dir, join(evalDir, 'report.html')))}">report, videos</a>`
        : '';
      return `<tr><td>${esc(r.suite)}</td><td>${r.episodes}</td><td>${(r.success * 100).toFixed(1)}%</td><td>[${(r.ci95[0] * 100).toFixed(1)}, ${(r.ci95[1] * 100).toFixed(1)}]</td><td>${htmls}</td></tr>`;
    })
    .join('\n');
  const train = o.train
    ? `<p>Trained ${o.train.steps} steps in ${(o.train.wallS / 60).toFixed(1)} min (${o.train.samplesPerS.toFixed(1)} samples/s), final loss ${o.train.finalLoss.toFixed(4)}.</p>`
    : '<p>Pretrained checkpoint (no training in this run).</p>';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>robofm demo</title>
<style>body{font-family:sans-serif;max-width:860px;margin:2em auto}td,th{padding:4px 10px;border-bottom:1px solid #ddd}</style></head>
<body><h1>robofm demo${o.quick ? ' (quick)' : ''}</h1>
<p>Checkpoint: <code>${esc(o.checkpoint)}</code></p>${train}
${o.lossPng ? `<h2>Loss curve</h2><img src="${esc(relative(o.dir, o.lossPng))}" alt="loss curve">` : ''}
<h2>Success on held-out scenes</h2><table><tr><th>suite</th><th>episodes</th><th>success</th><th>95% CI (Wilson)</th><th></th></tr>
${rows}</table></body></html>\n`;
  const path = join(o.dir, 'report.html');
  writeFileSync(path, html);
  return path;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Collect expert demos (arm6, bimanual), train the demo VLA, evaluate on held-out scenes',
  description: [
    'The main job: collects expert demonstrations in sim (robofm sim collect) for arm6 pick_place and',
    'bimanual handover, renders 5000 labelled arm6 scenes at the start pose and 5000 with the arm in',
    'demonstration poses for the auxiliary "where" task (robofm sim scenes [--arm-poses demo]), trains',
    'the demo preset on all of it, evaluates on held-out scenes (robofm eval), prints',
    'a table and writes <out>/report.html (loss curve, success per task, links to rollout videos).',
    '--quick: small data and a short run, done in about 5 minutes (honestly lower success).',
    '--pretrained: skip collection and training; evaluate the checkpoint shipped in the repo.',
  ].join('\n'),
  options: {
    out: { type: 'string', help: 'output directory', default: '.robofm/demo' },
    quick: { type: 'boolean', help: 'small and fast (≤ 5 min)' },
    pretrained: { type: 'boolean', help: 'evaluate the shipped demo checkpoint only' },
    'eval-episodes': { type: 'number', help: 'held-out episodes per suite (default 50, quick 10)' },
    steps: { type: 'number', help: 'training steps (default: the preset’s)' },
    workers: { type: 'number', help: 'evaluation workers', default: 1 },
    ship: { type: 'boolean', help: 'copy the trained checkpoint to packages/policy/checkpoints/demo' },
    json: { type: 'boolean', help: 'print a JSON summary as the last line' },
  },
  examples: ['robofm demo --quick', 'robofm demo --pretrained', 'robofm demo --out runs/demo-full'],
  async run({ options }) {
    const quick = Boolean(options.quick);
    const out = resolve(String(options.out));
    mkdirSync(out, { recursive: true });
    const evalEpisodes = Number(options['eval-episodes'] ?? (quick ? 10 : 50));
    const workers = Number(options.workers);
    const log = logger.child({ cmd: 'demo' });
    let checkpoint: string;
    let lossPng: string | undefined;
    let trainInfo: { steps: number; wallS: number; finalLoss: number; samplesPerS: number } | undefined;
    const t0 = performance.now();
    if (options.pretrained) {
      const { demoCheckpointDir } = await import('@robofm/policy');
      checkpoint = demoCheckpointDir();
      if (!existsSync(join(checkpoint, 'config.json')))
        throw new RobofmError(
          'checkpoint_missing',
          `the shipped demo checkpoint ${checkpoint} is missing; run robofm demo to train one`,
        );
    } else {
      const datasets: string[] = [];
      for (const s of SUITES) {
        const n = quick ? s.quickEpisodes : s.episodes;
        const dir = join(out, 'data', `${s.embodiment}-${s.task}-${n}`);
        const have = episodesIn(dir);
        if (have < n) {
          log.info('collecting expert demonstrations', {
            task: s.task,
            embodiment: s.embodiment,
            episodes: n,
            have,
          });
          await collect(s, n, dir);
        } else log.info('reusing collected dataset', { dir, episodes: have });
        datasets.push(`${dir}:${s.weight}`);
        if (quick || s.scenes === 0) continue;
        for (const set of perceptionSets(s)) {
          const sdir = join(out, 'data', `${s.embodiment}-${s.task}-${set.name}`);
          const haveScenes = episodesIn(sdir, 'total_frames');
          if (haveScenes < s.scenes) {
            log.info('rendering perception scenes', {
              task: s.task,
              embodiment: s.embodiment,
              scenes: s.scenes,
              armPoses: set.poses,
            });
            await robofm([
              'sim',
              'scenes',
              '--embodiment',
              s.embodiment,
              '--task',
              s.task,
              '--scenes',
              String(s.scenes - haveScenes),
              '--seed-start',
              String(set.seedStart + haveScenes),
              '--arm-poses',
              set.poses,
              '--out',
              sdir,
            ]);
          }
          datasets.push(`${sdir}:${set.weight}`);
        }
      }
      const { applyOverrides, getPreset, loadSources, train } = await import('@robofm/train');
      const over: Record<string, string> = { datasets: datasets.join(','), out: join(out, 'run') };
      if (options.steps !== undefined) over.steps = String(options.steps);
      const cfg = applyOverrides(getPreset(quick ? 'quick' : 'demo'), over);
      const source = await loadSources(cfg.datasets, { imageSize: cfg.model.imageSize });
      const r = await train({ config: cfg, source });
      checkpoint = r.checkpointDir;
      lossPng = join(cfg.out, 'loss.png');
      trainInfo = { steps: r.steps, wallS: r.wallS, finalLoss: r.finalLoss, samplesPerS: r.samplesPerS };
      if (options.ship) shipCheckpoint(checkpoint);
    }
    // A checkpoint trained on fewer bodies (e.g. an arm6-only run) is evaluated on those it drives.
    const { readCheckpointConfig } = await import('@robofm/policy');
    const bodies = Object.keys(readCheckpointConfig(checkpoint).model.embodiments);
    const suites = SUITES.filter((s) => bodies.includes(s.embodiment));
    for (const s of SUITES)
      if (!bodies.includes(s.embodiment))
        log.warn('checkpoint does not drive this body; suite skipped', {
          suite: `${s.task}/${s.embodiment}`,
          bodies: bodies.join(','),
        });
    const results = await evaluate(checkpoint, suites, evalEpisodes, out, workers);
    const report = htmlReport({ dir: out, results, checkpoint, lossPng, train: trainInfo, quick });
    process.stdout.write(`${table(results)}\n\nreport: ${report}\n`);
    const summary = {
      checkpoint,
      minutes: (performance.now() - t0) / 60000,
      suites: Object.fromEntries(
        results.map((r) => [r.suite, { episodes: r.episodes, success: r.success, ci95: r.ci95 }]),
      ),
    };
    writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  },
};

/** Copies the inference files of a checkpoint (not train_state) to the shipped demo location. */
function shipCheckpoint(dir: string): void {
  const dest = resolve(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'policy',
    'checkpoints',
    'demo',
  );
  mkdirSync(dest, { recursive: true });
  for (const f of ['model.safetensors', 'config.json', 'norm_stats.json', 'tokenizer.json'])
    copyFileSync(join(dir, f), join(dest, f));
}
