import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { RobofmError } from '@robofm/core';
import { writeFileSynced } from './parquet.ts';

/**
 * Crash safety. A writer stages everything of an episode under `<root>/.robofm-staging/`; the commit
 * writes the new versions of all files it changes there, then atomically renames a journal
 * (`journal.json`: the list of renames) into place — that rename is the commit point — and finally
 * renames each staged file over its target. Opening a dataset replays a committed journal (renames
 * are idempotent) and discards anything else staged, so after a kill the dataset is exactly as
 * before the episode or has the episode complete.
 */
export const STAGING_DIR = '.robofm-staging';

export interface Journal {
  /** [staged path, target path], relative to the dataset root; `meta/info.json` last. */
  renames: [string, string][];
}

export function stagingPath(root: string, ...parts: string[]): string {
  return join(root, STAGING_DIR, ...parts);
}

export function fsyncPath(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Directories cannot be fsynced on every platform; best effort.
  }
}

/** Writes the journal and makes it visible atomically (the commit point). */
export function commitJournal(root: string, journal: Journal): void {
  const tmp = stagingPath(root, 'journal.tmp');
  writeFileSynced(tmp, JSON.stringify(journal));
  renameSync(tmp, stagingPath(root, 'journal.json'));
  fsyncPath(stagingPath(root));
}

/** Applies a committed journal's renames (idempotent: a rename already done is skipped). */
export function applyJournal(root: string, afterRename?: (i: number) => void): boolean {
  const jp = stagingPath(root, 'journal.json');
  if (!existsSync(jp)) return false;
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(jp, 'utf8')) as Journal;
  } catch (e) {
    throw new RobofmError('journal_corrupt', `${jp}: unreadable commit journal (${(e as Error).message})`, {
      cause: e,
    });
  }
  const dirs = new Set<string>();
  for (const [i, [src, dst]] of journal.renames.entries()) {
    const from = join(root, src);
    const to = join(root, dst);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
    dirs.add(dirname(to));
    afterRename?.(i);
  }
  for (const d of dirs) fsyncPath(d);
  rmSync(jp, { force: true });
  return true;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the dataset's write lock, if that process is still alive. */
export function lockHolder(root: string): number | null {
  const lp = stagingPath(root, 'lock');
  if (!existsSync(lp)) return null;
  const pid = Number(readFileSync(lp, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid ? pid : null;
}

/**
 * Finishes a committed-but-unapplied commit and removes abandoned staging (a killed writer's
 * partial episode). Does nothing while another live process holds the write lock.
 */
export function recoverStaging(root: string): { replayed: boolean; discarded: boolean } {
  const dir = stagingPath(root);
  if (!existsSync(dir)) return { replayed: false, discarded: false };
  if (lockHolder(root) !== null) return { replayed: false, discarded: false };
  const replayed = applyJournal(root);
  rmSync(dir, { recursive: true, force: true });
  return { replayed, discarded: true };
}

export function takeLock(root: string): void {
  const holder = lockHolder(root);
  if (holder !== null)
    throw new RobofmError(
      'dataset_locked',
      `${root}: another writer (pid ${holder}) is recording into this dataset`,
    );
  mkdirSync(stagingPath(root), { recursive: true });
  writeFileSync(stagingPath(root, 'lock'), String(process.pid));
}

export function releaseLock(root: string): void {
  rmSync(stagingPath(root), { recursive: true, force: true });
}
