import { existsSync, statSync } from 'node:fs';
import type { Policy } from '@robofm/core';
import { RobofmError, ValidationError } from '@robofm/core';

/**
 * Turns a policy spec into a `Policy`:
 * - `demo` — the model package's bundled demo checkpoint;
 * - a checkpoint directory — `LocalPolicy` from `@robofm/policy`;
 * - `ws://host:port` / `wss://…` — `RemotePolicy` from `@robofm/runtime` (a policy server).
 * `expert` is not resolved here: scripted experts need privileged simulator access and are run by
 * the harness directly. Imports are dynamic so evaluation loads libtorch only when it needs it.
 */
export async function resolvePolicy(spec: string): Promise<Policy> {
  if (typeof spec !== 'string' || spec.length === 0)
    throw new ValidationError('--policy', spec, 'expert, demo, a checkpoint directory or ws://host:port');
  if (spec === 'expert')
    throw new ValidationError(
      '--policy',
      spec,
      'a learned policy here: the harness runs "expert" itself (privileged)',
    );
  if (/^wss?:\/\//.test(spec)) {
    const mod = await importOptional<{ RemotePolicy?: new (url: string) => Policy }>('@robofm/runtime', spec);
    if (typeof mod.RemotePolicy !== 'function')
      throw new RobofmError(
        'policy_unavailable',
        `@robofm/runtime does not export RemotePolicy yet (needed for --policy ${spec})`,
      );
    const p = new mod.RemotePolicy(spec) as Policy & { connect?: () => Promise<void> };
    if (typeof p.connect === 'function') await p.connect();
    return p;
  }
  let dir: string;
  type PolicyModule = {
    LocalPolicy?: { new (dir: string): Policy; load?: (dir: string) => Promise<Policy> };
    demoCheckpointDir?: () => string | Promise<string>;
  };
  const mod = await importOptional<PolicyModule>('@robofm/policy', spec);
  if (spec === 'demo') {
    if (typeof mod.demoCheckpointDir !== 'function')
      throw new RobofmError(
        'policy_unavailable',
        '@robofm/policy does not export demoCheckpointDir yet (needed for --policy demo)',
      );
    dir = await mod.demoCheckpointDir();
    if (!existsSync(dir))
      throw new RobofmError(
        'checkpoint_missing',
        `the demo checkpoint ${dir} does not exist yet (train or download it first)`,
      );
  } else {
    if (!existsSync(spec) || !statSync(spec).isDirectory())
      throw new ValidationError(
        '--policy',
        spec,
        'expert, demo, an existing checkpoint directory or ws://host:port',
      );
    dir = spec;
  }
  const LocalPolicy = mod.LocalPolicy;
  if (typeof LocalPolicy !== 'function')
    throw new RobofmError(
      'policy_unavailable',
      `@robofm/policy does not export LocalPolicy yet (needed for --policy ${spec})`,
    );
  return typeof LocalPolicy.load === 'function' ? await LocalPolicy.load(dir) : new LocalPolicy(dir);
}

async function importOptional<T>(name: string, spec: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (e) {
    throw new RobofmError(
      'policy_unavailable',
      `cannot load ${name} for --policy ${spec}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}
