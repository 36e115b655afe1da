// End-to-end check of `robofm bench torch` at a tiny size: both sides train the same models from the
// same weights (bit-identical losses), and the result has the JSON shape.
import { describe, expect, it } from 'vitest';
import { liveTensors } from '../index.ts';
import { findPython } from '../python.ts';
import { benchTorch } from './torch-bench.ts';

describe('benchTorch (small)', () => {
  it('runs both sides with identical losses and reports every field', async () => {
    const before = liveTensors();
    const r = await benchTorch({
      rounds: 2,
      stepsPerRound: 1,
      warmup: 1,
      opIters: 2000,
      rssSteps: 100,
      log: () => {},
    });
    const withPython = findPython(['torch', 'numpy']) !== null;
    for (const m of [r.transformer, r.cnn]) {
      expect(m.ts_ms).toBeGreaterThan(0);
      if (withPython) {
        expect(m.py_ms).toBeGreaterThan(0);
        expect(m.ratio).toBeCloseTo(m.ts_ms / m.py_ms!, 2);
      }
    }
    if (withPython) {
      expect(r.detail.lossMaxAbsDiff.transformer).toBe(0);
      expect(r.detail.lossMaxAbsDiff.cnn).toBe(0);
      expect(r.op_overhead_us.py).toBeGreaterThan(0);
    }
    expect(r.op_overhead_us.ts).toBeGreaterThan(0);
    expect(r.rss_mb.step100).toBeGreaterThan(0);
    expect(r.rss_mb.step2000).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(JSON.stringify({ ...r, detail: undefined })))).toEqual([
      'transformer',
      'cnn',
      'op_overhead_us',
      'rss_mb',
    ]);
    expect(liveTensors()).toBe(before);
  });
});
