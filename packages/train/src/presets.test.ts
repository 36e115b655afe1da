import { describe, expect, it } from 'vitest';
import { applyOverrides, getPreset, parseDatasets } from './presets.ts';
import { warmupCosine } from './schedule.ts';

describe('presets', () => {
  it('answers an unknown preset with "did you mean"', () => {
    expect(() => getPreset('dmeo')).toThrow(/did you mean "demo"/);
  });

  it('type-checks overrides and names the field', () => {
    const c = applyOverrides(getPreset('demo'), {
      lr: '1e-3',
      'model.dModel': '64',
      augment: 'false',
      freeze: 'vision',
    });
    expect(c.lr).toBe(1e-3);
    expect(c.model.dModel).toBe(64);
    expect(c.augment).toBe(false);
    expect(c.freeze).toBe('vision');
    expect(() => applyOverrides(c, { steps: 'ten' })).toThrow(/--steps: got "ten", expected a number/);
    expect(() => applyOverrides(c, { steps: '1.5' })).toThrow(/integer/);
    expect(() => applyOverrides(c, { stpes: '10' })).toThrow(/did you mean --steps/);
    expect(() => applyOverrides(c, { 'model.dmodel': '10' })).toThrow(/did you mean --model.dModel/);
    expect(() => applyOverrides(c, { augment: 'yes' })).toThrow(/true or false/);
    expect(() => applyOverrides(c, { freeze: 'all' })).toThrow(/one of none, vision, backbone/);
    expect(getPreset('demo').lr).toBe(3e-4); // presets are not mutated
  });

  it('parses dataset mixtures', () => {
    expect(parseDatasets('a:2,b')).toEqual([
      { path: 'a', weight: 2 },
      { path: 'b', weight: 1 },
    ]);
    expect(() => parseDatasets('a:0')).toThrow(/positive weight/);
  });

  it('warmup + cosine schedule', () => {
    const s = warmupCosine({ warmup: 10, total: 110, peak: 1, floor: 0.1 });
    expect(s(0)).toBeCloseTo(0.1);
    expect(s(9)).toBeCloseTo(1);
    expect(s(60)).toBeCloseTo(0.55);
    expect(s(110)).toBeCloseTo(0.1);
  });
});
