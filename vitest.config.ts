import { defineConfig } from 'vitest/config';

// One runner for the whole repo. Tests sit beside code as `x.test.ts`.
// Slow / end-to-end suites are named `x.slow.test.ts` and run when ROBOFM_SLOW=1 (CI sets it).
const slow = process.env.ROBOFM_SLOW === '1';

export default defineConfig({
  test: {
    include: slow ? ['packages/*/src/**/*.test.ts'] : ['packages/*/src/**/*.test.ts'],
    exclude: slow ? ['**/node_modules/**'] : ['**/node_modules/**', '**/*.slow.test.ts'],
    // Native addons (libtorch) and WASM modules are safest in child processes.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
