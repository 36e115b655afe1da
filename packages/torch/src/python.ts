/** Finds a Python interpreter that can import the given modules (Debian's python3-torch/numpy). */
import { execFileSync } from 'node:child_process';

const cache = new Map<string, string | null>();

export function findPython(modules: string[] = ['torch']): string | null {
  const key = modules.join(',');
  if (cache.has(key)) return cache.get(key) ?? null;
  const candidates = new Set<string>();
  if (process.env.ROBOFM_PYTHON) candidates.add(process.env.ROBOFM_PYTHON);
  try {
    for (const p of execFileSync('which', ['-a', 'python3'], { encoding: 'utf8' }).split('\n'))
      if (p.trim()) candidates.add(p.trim());
  } catch {
    // no python3 on PATH
  }
  candidates.add('/usr/bin/python3');
  let found: string | null = null;
  for (const c of candidates) {
    try {
      execFileSync(c, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore', timeout: 60_000 });
      found = c;
      break;
    } catch {
      // try the next one
    }
  }
  cache.set(key, found);
  return found;
}
