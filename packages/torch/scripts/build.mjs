#!/usr/bin/env node
// Builds the native addon (build/Release/robofm_torch.node) with cmake-js, one compile job at a time.
// Incremental: returns at once when the addon is newer than every native source and the libtorch
// location is unchanged. libtorch: $LIBTORCH (a libtorch root), $Torch_DIR, or Debian's libtorch-dev.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(pkgDir, 'package.json'));
const out = join(pkgDir, 'build', 'Release', 'robofm_torch.node');
const stampFile = join(pkgDir, 'build', 'torch-dir.txt');

function findTorchDir() {
  if (process.env.Torch_DIR) return process.env.Torch_DIR;
  if (process.env.LIBTORCH) return join(process.env.LIBTORCH, 'share', 'cmake', 'Torch');
  const candidates = [];
  for (const lib of ['/usr/lib', '/usr/local/lib']) {
    if (!existsSync(lib)) continue;
    candidates.push(join(lib, 'cmake', 'Torch'));
    for (const d of readdirSync(lib)) candidates.push(join(lib, d, 'cmake', 'Torch'));
  }
  candidates.push('/usr/share/cmake/Torch');
  for (const c of candidates) if (existsSync(join(c, 'TorchConfig.cmake'))) return c;
  throw new Error(
    'build: libtorch not found. Install Debian libtorch-dev, or set LIBTORCH=/path/to/libtorch or Torch_DIR=/path/to/share/cmake/Torch',
  );
}

function newestSource() {
  let newest = statSync(join(pkgDir, 'CMakeLists.txt')).mtimeMs;
  for (const f of readdirSync(join(pkgDir, 'native')))
    newest = Math.max(newest, statSync(join(pkgDir, 'native', f)).mtimeMs);
  return newest;
}

const torchDir = findTorchDir();
const force = process.argv.includes('--force');
const sameTorch = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === torchDir;
if (!force && sameTorch && existsSync(out) && statSync(out).mtimeMs >= newestSource()) {
  process.exit(0);
}

// Node headers: use the ones installed beside this node (Debian: /usr/include/node); never download.
const env = { ...process.env };
const nodeRoot = resolve(dirname(process.execPath), '..');
if (!env.npm_config_nodedir && existsSync(join(nodeRoot, 'include', 'node', 'node.h')))
  env.npm_config_nodedir = nodeRoot;
if (!env.npm_config_nodedir) {
  throw new Error(`build: Node headers not found under ${nodeRoot}/include/node; set npm_config_nodedir`);
}
const addonApi = require('node-addon-api').include_dir.replace(/^"|"$/g, '');
const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const command = sameTorch ? 'build' : 'rebuild';
console.error(
  `@robofm/torch: ${command} native addon against ${torchDir} (one job; first build takes ~1 min)`,
);
mkdirSync(join(pkgDir, 'build'), { recursive: true });
const r = spawnSync(
  process.execPath,
  [
    cmakeJs,
    command,
    '--directory',
    pkgDir,
    '--parallel',
    process.env.ROBOFM_BUILD_JOBS ?? '1',
    `--CDTorch_DIR=${torchDir}`,
    `--CDNODE_ADDON_API_DIR=${addonApi}`,
    '--log-level',
    'warn',
  ],
  { stdio: ['ignore', 'inherit', 'inherit'], env, cwd: pkgDir },
);
if (r.status !== 0) process.exit(r.status ?? 1);
writeFileSync(stampFile, torchDir);
