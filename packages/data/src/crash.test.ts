import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crashHarness } from './crash-harness.ts';
import { STAGING_DIR } from './staging.ts';

const dir = mkdtempSync(join(tmpdir(), 'robofm-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { snapshot, runChild, checkValid } = crashHarness(dir);

describe('crash safety (SIGKILL of the writer process)', () => {
  it('a kill mid-episode leaves the dataset byte-identical; a kill after the commit point completes the episode', async () => {
    const first = await runChild('after-rename:99'); // two complete episodes
    expect(first.signal).toBeNull();
    await checkValid(2);
    const before = snapshot(dir);

    // Killed while streaming frames of episode 2.
    const mid = await runChild('mid', (l) => l === 'frame 2 20');
    expect(mid.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, STAGING_DIR))).toBe(true);
    await checkValid(2);
    expect(snapshot(dir)).toEqual(before);

    // Killed right after the commit point (journal written, nothing renamed yet): rolled forward.
    const j = await runChild('after-journal');
    expect(j.signal).toBe('SIGKILL');
    expect(snapshot(dir)['meta/info.json']).toBe(before['meta/info.json']);
    await checkValid(3);
  });
});
