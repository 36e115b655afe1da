// Each JS thread has its own handle table: the addon works from worker threads (as the sim and
// server packages use them) next to the main thread, and a worker's exit frees its tensors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { startWorker } from '@robofm/core';
import { describe, expect, it } from 'vitest';
import { liveTensors, ones, scope } from './index.ts';

const index = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');

describe('worker threads', () => {
  it('trains in a worker while the main thread keeps its own tensors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'robofm-worker-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const file = join(dir, 'w.ts');
    writeFileSync(
      file,
      `import { parentPort } from 'node:worker_threads';
import { F, liveTensors, nn, optim, randn, scope, TorchError, zeros } from ${JSON.stringify(index)};
const m = new nn.Linear(4, 2);
const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
const x = randn([8, 4]);
const y = randn([8, 2]);
const losses: number[] = [];
for (let i = 0; i < 50; i++) {
  losses.push(scope(() => { const l = F.mseLoss(m.forward(x), y); l.backward(); return l.item(); }));
  opt.step(); opt.zeroGrad();
}
let code = '';
try { zeros([2]).add(zeros([3])); } catch (e) { code = e instanceof TorchError ? e.code : 'not a TorchError'; }
parentPort!.postMessage({ first: losses[0], last: losses[49], live: liveTensors(), code });
`,
    );
    const mainTensor = ones([3]);
    const before = liveTensors();
    const w = startWorker(pathToFileURL(file));
    const [msg] = await once(w, 'message');
    await once(w, 'exit');
    expect(msg.last).toBeLessThan(msg.first);
    expect(msg.code).toBe('shape_mismatch');
    expect(msg.live).toBeGreaterThan(0); // the worker's own table
    expect(liveTensors()).toBe(before); // the main table is untouched
    expect(scope(() => mainTensor.sum().item())).toBe(3);
    mainTensor.dispose();
  });
});
