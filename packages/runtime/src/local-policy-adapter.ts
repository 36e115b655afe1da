import { type Policy, RobofmError, ValidationError } from '@robofm/core';
import { WorkerPolicy } from './worker-policy.ts';

/**
 * The optional on-robot model adapter: loads a small checkpoint of the VLA family as a local
 * `Policy` (for the fallback, or to run without a server). It is the ONLY place the runtime
 * reaches for `@robofm/policy` (and through it libtorch), and only when called: the import is
 * dynamic, so a runtime that never uses it never loads the model stack.
 */
export async function loadLocalPolicy(
  dir: string,
  opts: { seed?: number; thread?: boolean } = {},
): Promise<Policy> {
  if (!dir || typeof dir !== 'string') throw new ValidationError('checkpoint', dir, 'a checkpoint directory');
  // Default: in a worker thread, so inference never stalls the control loop.
  if (opts.thread !== false)
    return WorkerPolicy.start(import.meta.url, 'loadLocalPolicy', [dir, { seed: opts.seed, thread: false }]);
  let mod: { LocalPolicy: { load(dir: string, opts?: { seed?: number }): Promise<Policy> } };
  try {
    mod = (await import('@robofm/policy')) as unknown as typeof mod;
  } catch (e) {
    throw new RobofmError(
      'local_model_unavailable',
      `the on-robot model adapter needs @robofm/policy (and libtorch): ${(e as Error).message}`,
      { cause: e },
    );
  }
  return mod.LocalPolicy.load(dir, opts);
}
