import { describe, expect, it } from 'vitest';
import { runExpert } from '../tasks/testing.ts';

describe('scripted experts (slow)', () => {
  it('pick_place/arm6 handles every edge case', async () => {
    for (const e of ['duplicate', 'damaged', 'phone', 'nudge', 'slip']) {
      const [r] = await runExpert('pick_place', 'arm6', [1_000_000 + 3], { edgeCase: e });
      expect(r.success, e).toBe(true);
      if (e === 'duplicate') expect([...r.labels].some((l) => l.startsWith('put the extra'))).toBe(true);
      if (e === 'damaged') expect([...r.labels].some((l) => l.includes('reject bin'))).toBe(true);
      if (e === 'phone') expect([...r.labels]).toContain('move the phone out of the bin');
    }
  });
  it('the failing tier fails and the noisy tier still mostly works', async () => {
    const seeds = [1_000_010, 1_000_011, 1_000_012, 1_000_013];
    const failing = await runExpert('pick_place', 'arm6', seeds, { edgeCases: 'off' }, 'failing');
    expect(failing.filter((r) => r.success).length).toBeLessThanOrEqual(1);
    const noisy = await runExpert('pick_place', 'arm6', seeds, { edgeCases: 'off' }, 'noisy');
    expect(noisy.filter((r) => r.success).length).toBeGreaterThanOrEqual(3);
  });
});
