import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalPolicy, loadCheckpoint } from '@robofm/policy';
import { describe, expect, it } from 'vitest';
import { syntheticEpisodes } from './bench.ts';
import { EpisodeSource } from './episodes.ts';
import { applyOverrides, getPreset } from './presets.ts';
import { train } from './trainer.ts';

function setup(out: string, steps: number) {
  const cfg = applyOverrides(getPreset('tiny'), {
    out,
    steps: String(steps),
    saveEvery: '4',
    emaDecay: '0.9',
  });
  const syn = syntheticEpisodes(['arm6'], { episodes: 2, length: 12, imageSize: cfg.model.imageSize });
  return { cfg, source: new EpisodeSource(syn.episodes, syn.embodiments) };
}

describe('trainer', () => {
  it('resume reproduces the loss sequence exactly; checkpoints are complete directories', async () => {
    const root = mkdtempSync(join(tmpdir(), 'train-'));
    const a = setup(join(root, 'a'), 10);
    const full = await train({ config: a.cfg, source: a.source, progress: false });
    expect(full.losses.length).toBe(10);

    const b = setup(join(root, 'b'), 10);
    const part = await train({ config: b.cfg, source: b.source, progress: false, stopAfter: 6 });
    expect(part.steps).toBe(6);
    const rest = await train({ config: b.cfg, source: b.source, progress: false });
    expect(rest.losses.length).toBe(4);
    expect([...part.losses, ...rest.losses]).toEqual(full.losses);

    for (const f of [
      'model.safetensors',
      'config.json',
      'norm_stats.json',
      'tokenizer.json',
      'train_state.safetensors',
    ])
      expect(existsSync(join(full.checkpointDir, f)), f).toBe(true);
    const lines = readFileSync(join(root, 'b', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(existsSync(join(root, 'b', 'loss.png'))).toBe(true);
    const ck = loadCheckpoint(join(root, 'b'));
    expect(ck.config.step).toBe(10);
  });

  it('executeHorizon is saved with the checkpoint and a LocalPolicy of it re-plans that often', async () => {
    const root = mkdtempSync(join(tmpdir(), 'exec-'));
    const a = setup(join(root, 'a'), 1);
    a.cfg.executeHorizon = 3;
    const r = await train({ config: a.cfg, source: a.source, progress: false });
    expect(loadCheckpoint(r.checkpointDir).config.meta.executeHorizon).toBe(3);
    const policy = new LocalPolicy(r.checkpointDir);
    try {
      expect(policy.executeHorizon).toBe(3);
      expect(policy.executeHorizon).toBeLessThan(a.cfg.model.horizon);
    } finally {
      policy.dispose();
    }
    const b = setup(join(root, 'b'), 1);
    b.cfg.executeHorizon = b.cfg.model.horizon + 1;
    await expect(train({ config: b.cfg, source: b.source, progress: false })).rejects.toThrow(
      /executeHorizon/,
    );
  });

  it('fine-tunes from a checkpoint (--init) with the vision encoder frozen', async () => {
    const root = mkdtempSync(join(tmpdir(), 'finetune-'));
    const a = setup(join(root, 'base'), 4);
    const base = await train({ config: a.cfg, source: a.source, progress: false });
    const b = setup(join(root, 'ft'), 4);
    b.cfg.init = base.checkpointDir;
    b.cfg.freeze = 'vision';
    b.cfg.emaDecay = 0; // the saved weights are the trained ones
    const ft = await train({ config: b.cfg, source: b.source, progress: false });
    const before = new Map(loadCheckpoint(base.checkpointDir).model.namedParameters());
    const after = loadCheckpoint(ft.checkpointDir).model.namedParameters();
    let frozenSame = 0;
    let changed = 0;
    for (const [name, p] of after) {
      // --init copies the inference (EMA) weights of the base checkpoint
      const init = before.get(name)!;
      const same = Buffer.from(p.toFloat32Array().buffer).equals(Buffer.from(init.toFloat32Array().buffer));
      if (name.startsWith('backbone.vision.')) {
        expect(same, name).toBe(true);
        frozenSame++;
      } else if (!same) changed++;
    }
    expect(frozenSame).toBeGreaterThan(0);
    expect(changed).toBeGreaterThan(0);
  });

  it('trains the auxiliary task when the data has environment state and model.auxWeight > 0', async () => {
    const root = mkdtempSync(join(tmpdir(), 'train-aux-'));
    const a = setup(join(root, 'aux'), 4);
    a.cfg.model.auxWeight = 1;
    a.cfg.model.focusWeight = 1;
    for (const e of a.source.episodes) e.envState = e.state.map((s) => Float32Array.from([s[0], -s[1], 0.5]));
    // The tiny data has no focus labels: the heatmaps stay off (and the checkpoint says so).
    const noFocus = await train({
      config: { ...a.cfg, out: join(root, 'nofocus'), steps: 1 },
      source: a.source,
      progress: false,
    });
    expect(loadCheckpoint(noFocus.checkpointDir).config.model.focusWeight).toBe(0);
    for (const e of a.source.episodes)
      e.focusUv = { front: e.state.map(() => Float32Array.of(0.5, 0.5, 0.2, 1.5)) };
    // plus a perception-only episode (no actions; per-frame instructions), as `sim scenes` writes
    const scenes = {
      ...a.source.episodes[0],
      action: [],
      instructions: a.source.episodes[0].state.map((_, t) => `put the red cube in bin ${t}`),
    };
    const source = new EpisodeSource([...a.source.episodes, scenes], a.source.embodiments);
    expect(source.envDim).toBe(3);
    expect(source.tasks).toContain('put the red cube in bin 3');
    const mixed = source.batch(0, 64, 0, a.cfg.model.horizon);
    expect(mixed.some((s) => s.actions === undefined)).toBe(true);
    expect(mixed.some((s) => s.actions !== undefined)).toBe(true);
    const r = await train({ config: a.cfg, source, progress: false });
    const ck = loadCheckpoint(r.checkpointDir);
    expect(ck.config.model.auxDim).toBe(3);
    expect(ck.config.model.focusWeight).toBe(1);
    expect(ck.normStats.arm6.env?.mean).toHaveLength(3);
    const rows = readFileSync(join(root, 'aux', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    for (const l of rows) expect(JSON.parse(l).auxLoss).toBeGreaterThan(0);
    // episodes of mixed widths are refused
    a.source.episodes[0].envState = a.source.episodes[0].state.map(() => new Float32Array(2));
    expect(() => new EpisodeSource(a.source.episodes, a.source.embodiments)).toThrow(/envState/);
  });

  it('learned kinematics: with model.eeWeight and observation.ee_pos the checkpoint gets eeDim and ee stats', async () => {
    const root = mkdtempSync(join(tmpdir(), 'train-ee-'));
    const a = setup(join(root, 'ee'), 3);
    a.cfg.model.eeWeight = 1;
    for (const e of a.source.episodes) e.eePos = e.state.map((s) => Float32Array.from([s[0], s[1] * 2, 0.8]));
    const source = new EpisodeSource(a.source.episodes, a.source.embodiments);
    expect(source.eeDim).toBe(3);
    const r = await train({ config: a.cfg, source, progress: false });
    const ck = loadCheckpoint(r.checkpointDir);
    expect(ck.config.model.eeDim).toBe(3);
    expect(ck.normStats.arm6.ee?.mean).toHaveLength(3);
    for (const l of readFileSync(join(root, 'ee', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n'))
      expect(JSON.parse(l).auxLoss).toBeGreaterThan(0);
    // the policy acts from observations alone (no end-effector positions at inference)
    const policy = new LocalPolicy(r.checkpointDir);
    const ep = a.source.episodes[0];
    const px = new Uint8Array(96 * 96 * 3).fill(90);
    const chunk = policy.inferBatchSync([
      {
        embodiment: 'arm6',
        state: ep.state[0],
        images: { front: px, wrist: px },
        instruction: ep.instruction,
      },
    ])[0];
    expect(chunk.actions.every(Number.isFinite)).toBe(true);
    const hand = policy.perceive([
      {
        embodiment: 'arm6',
        state: ep.state[0],
        images: { front: px, wrist: px },
        instruction: ep.instruction,
      },
    ]).hand;
    expect(hand?.[0]).toHaveLength(3);
    policy.dispose();
    // without the labels the option is off (warned), not an error
    const plain = await train({
      config: { ...a.cfg, out: join(root, 'plain'), steps: 1 },
      source: new EpisodeSource(
        a.source.episodes.map(({ eePos: _, ...e }) => e),
        a.source.embodiments,
      ),
      progress: false,
    });
    expect(loadCheckpoint(plain.checkpointDir).config.model.eeDim).toBe(0);
    // the peak read-out needs the focus heatmaps' labels: this data has none, so it is off (warned)
    const peak = await train({
      config: {
        ...a.cfg,
        out: join(root, 'peak'),
        steps: 1,
        model: { ...a.cfg.model, focusWeight: 1, peakReadout: true },
      },
      source,
      progress: false,
    });
    expect(loadCheckpoint(peak.checkpointDir).config.model.peakReadout).toBe(false);
  });
});
