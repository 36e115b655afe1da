import { describe, expect, it } from 'vitest';
import { runExpert } from '../tasks/testing.ts';

describe('scripted experts', () => {
  it('labels every phase in words and is deterministic', async () => {
    const a = await runExpert('pick_place', 'arm6', [42], { edgeCases: 'off' });
    const b = await runExpert('pick_place', 'arm6', [42], { edgeCases: 'off' });
    expect(a[0].actions).toEqual(b[0].actions);
    const labels = [...a[0].labels];
    expect(labels.some((l) => /^grasp the \w+ \w+$/.test(l))).toBe(true);
    expect(labels.some((l) => /^move to the \w+ bin$/.test(l))).toBe(true);
    expect(labels.some((l) => /^release the /.test(l))).toBe(true);
  });
  it('handover/bimanual succeeds', async () => {
    const rs = await runExpert('handover', 'bimanual', [1_000_000, 1_000_001], {});
    expect(rs.every((r) => r.success)).toBe(true);
    expect([...rs[0].labels].some((l) => l.includes('with the right arm'))).toBe(true);
  });
});
