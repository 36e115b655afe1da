// The garbage collector is a safety net, not the memory model: tensors never disposed are freed
// once unreachable and counted in memory().gcFreed (a leak indicator). Runs in a child process
// with --expose-gc so gc() can be forced.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const index = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');

describe('GC safety net', () => {
  it('frees unreachable undisposed tensors and counts them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'robofm-gc-'));
    const script = join(dir, 'gc.mts');
    writeFileSync(
      script,
      `import { liveTensors, memory, ones } from ${JSON.stringify(index)};
const gc = (globalThis as { gc?: () => void }).gc!;
const tick = () => new Promise((r) => setImmediate(r));
const before = liveTensors();
(() => { for (let i = 0; i < 500; i++) ones([100]).add(1); })();
const leaked = liveTensors() - before;
for (let i = 0; i < 10 && liveTensors() > before; i++) { await tick(); gc(); await tick(); await new Promise((r) => setTimeout(r, 20)); }
console.log(JSON.stringify({ leaked, after: liveTensors() - before, gcFreed: memory().gcFreed }));
`,
    );
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.leaked).toBe(1000);
    expect(r.after).toBeLessThan(r.leaked);
    expect(r.gcFreed).toBeGreaterThan(0);
  });
});
