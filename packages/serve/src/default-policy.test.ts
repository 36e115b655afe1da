import { describe, expect, it } from 'vitest';
import { loadDefaultPolicy } from './default-policy.ts';
import { HoldSinePolicy } from './hold-sine-policy.ts';

describe('loadDefaultPolicy', () => {
  it('scripted gives the hold-sine policy', async () => {
    const r = await loadDefaultPolicy('scripted', { scripted: { horizon: 8 } });
    expect(r.policy).toBeInstanceOf(HoldSinePolicy);
    expect(r.policy.metadata.actionHorizon).toBe(8);
    expect(r.load).toBeUndefined();
  });

  it('a missing checkpoint path names the field and the value', async () => {
    await expect(loadDefaultPolicy('/nonexistent/ckpt')).rejects.toThrow(
      /checkpoint: got "\/nonexistent\/ckpt", expected an existing/,
    );
  });
});

describe('HoldSinePolicy', () => {
  it('is deterministic, smooth and within joint limits', async () => {
    const p = new HoldSinePolicy({ amplitude: 0.5 });
    const obs = {
      embodiment: 'bimanual',
      images: {},
      state: new Float32Array(14).fill(100),
      instruction: '',
      timestamp: 1,
    };
    const a = await p.infer(obs);
    const b = await p.infer(obs);
    expect(Array.from(a.actions)).toEqual(Array.from(b.actions));
    const { EMBODIMENTS } = await import('@robofm/core');
    const joints = EMBODIMENTS.bimanual.joints;
    for (let k = 0; k < a.horizon; k++)
      for (let j = 0; j < a.actionDim; j++) {
        const v = a.actions[k * a.actionDim + j];
        expect(v).toBeGreaterThanOrEqual(joints[j].lower);
        expect(v).toBeLessThanOrEqual(joints[j].upper);
      }
    await expect(p.infer({ ...obs, embodiment: 'tank' })).rejects.toThrow(/embodiment: got "tank"/);
  });
});
