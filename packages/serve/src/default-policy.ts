import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, type Policy, ValidationError, logger as rootLogger } from '@robofm/core';
import { HoldSinePolicy, type HoldSinePolicyOptions } from './hold-sine-policy.ts';

export interface LoadedPolicy {
  policy: Policy;
  /** Reloads the same source (for hot reload); absent for scripted policies. */
  load?: () => Promise<Policy>;
  /** What was loaded, for logs. */
  source: string;
}

interface PolicyModule {
  demoCheckpointDir?: () => string;
  LocalPolicy?: { load?: (dir: string) => Promise<Policy>; new (dir: string): Policy };
}

async function policyModule(): Promise<PolicyModule | null> {
  try {
    // Dynamic: the model stack (libtorch) is only needed when a checkpoint is served.
    return (await import('@robofm/policy')) as PolicyModule;
  } catch {
    return null;
  }
}

async function loadLocal(mod: PolicyModule, dir: string): Promise<Policy> {
  const LP = mod.LocalPolicy;
  if (!LP) throw new ValidationError('@robofm/policy', 'module without LocalPolicy', 'an export LocalPolicy');
  return LP.load ? LP.load(dir) : new LP(dir);
}

/**
 * Resolves what `robofm serve` serves:
 * - `scripted` → the HoldSinePolicy (no model);
 * - `demo` or nothing → the demo checkpoint of `@robofm/policy` when it exists, else the scripted policy;
 * - a path → that checkpoint (or run directory; reloads pick up its newest checkpoint).
 */
export async function loadDefaultPolicy(
  spec?: string,
  opts: { scripted?: HoldSinePolicyOptions; logger?: Logger } = {},
): Promise<LoadedPolicy> {
  const log = opts.logger ?? rootLogger;
  if (spec === 'scripted')
    return { policy: new HoldSinePolicy(opts.scripted), source: 'scripted hold-sine policy' };
  const mod = await policyModule();
  if (!spec || spec === 'demo') {
    const dir = mod?.demoCheckpointDir?.();
    if (mod && dir && existsSync(join(dir, 'config.json'))) {
      try {
        const policy = await loadLocal(mod, dir);
        return { policy, load: () => loadLocal(mod, dir), source: `demo checkpoint ${dir}` };
      } catch (e) {
        if (spec === 'demo') throw e;
        log.warn('demo checkpoint failed to load; serving the scripted policy', { err: e });
      }
    } else if (spec === 'demo') {
      throw new ValidationError(
        'checkpoint',
        'demo',
        `a demo checkpoint at ${dir ?? '@robofm/policy demoCheckpointDir()'}`,
      );
    }
    return {
      policy: new HoldSinePolicy(opts.scripted),
      source: 'scripted hold-sine policy (no demo checkpoint shipped)',
    };
  }
  if (!existsSync(spec))
    throw new ValidationError(
      'checkpoint',
      spec,
      'an existing checkpoint or run directory, demo, or scripted',
    );
  if (!mod) throw new ValidationError('checkpoint', spec, 'the @robofm/policy package to be importable');
  const policy = await loadLocal(mod, spec);
  return { policy, load: () => loadLocal(mod, spec), source: `checkpoint ${spec}` };
}
