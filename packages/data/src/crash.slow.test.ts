import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crashHarness } from './crash-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'robofm-crash-slow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { runChild, checkValid } = crashHarness(dir);

describe('crash safety under repeated kills (slow)', () => {
  it('kills between renames and at arbitrary moments never corrupt; the writer resumes', async () => {
    const first = await runChild('after-rename:99');
    expect(first.signal).toBeNull();
    await checkValid(2);

    // Killed after the second rename of a commit: rolled forward.
    const r = await runChild('after-rename:1');
    expect(r.signal).toBe('SIGKILL');
    await checkValid(3);

    // Kills at arbitrary moments of a continuous recording.
    let n = 3;
    for (const ms of [900, 1700, 2600, 3500]) {
      const run = await runChild('loop', undefined, ms);
      const committed = run.lines.filter((l) => l.startsWith('committed')).length;
      const now = await checkValid();
      expect(now === n + committed || now === n + committed + 1).toBe(true);
      n = now;
    }

    // Resumable: a fresh writer appends after all that.
    const resumed = await runChild('after-rename:99');
    expect(resumed.signal).toBeNull();
    await checkValid(n + 2);
  });
});
