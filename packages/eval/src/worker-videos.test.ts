import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEval } from './run-eval.ts';

// Regression: with a libtorch policy in two worker threads, both workers used to spawn ffmpeg for
// their failure videos at the same moment. fork() in two threads at once deadlocks in OpenBLAS's
// pthread_atfork handler (blas_thread_shutdown_), so eval hung after the first episode. Failure
// videos are now encoded by the main thread, one at a time, after the workers are done.
describe('runEval with a torch policy in 2 workers and failure videos', () => {
  it('finishes (no fork deadlock) and writes every video', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'robofm-eval-videos-'));
    const r = await runEval({
      policy: 'demo',
      suite: 'pick_place/arm6',
      episodes: 4,
      workers: 2,
      maxSteps: 4, // every episode times out quickly → a failure video each, near-simultaneously
      outDir: dir,
      videos: 4,
      progress: false,
    });
    expect(r.overall.episodes).toBe(4);
    const videos = r.episodes.map((e) => e.video).filter((v): v is string => typeof v === 'string');
    expect(videos.length).toBe(4);
    for (const v of videos) expect(existsSync(join(dir, v))).toBe(true);
  }, 60_000);
});
