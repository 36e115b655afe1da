/**
 * Test fixture process: appends step records to an EpisodeBuffer forever, printing
 * `durable <n>` after every completed flush, until the parent kills it (SIGKILL).
 */
import { EpisodeBuffer } from '../episode-buffer.ts';

const dir = process.argv[2];
const buf = await EpisodeBuffer.open(dir, { flushIntervalMs: 5 });
const w = await buf.begin({ embodiment: 'di', task: 'kill-test' });
process.stdout.write(`episode ${w.id}\n`);
let step = 0;
for (;;) {
  for (let k = 0; k < 20; k++, step++) {
    w.step({
      t: step / 50,
      step,
      mode: 'remote',
      state: Float32Array.from([step, step + 0.5, -step]),
      qd: new Float32Array(3),
      action: Float32Array.from([step * 2]),
    });
  }
  await w.flush();
  process.stdout.write(`durable ${w.durable}\n`);
}
