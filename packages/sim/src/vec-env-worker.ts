/**
 * Worker side of `VecEnv`: hosts a few `SimEnv`s (one MuJoCo module per thread) and answers
 * reset / step requests for them. Messages: {id, type, ...} → {id, ok, result | error}.
 */
import { parentPort } from 'node:worker_threads';
import type { Observation, StepResult } from '@robofm/core';
import { SimEnv, type SimEnvOptions } from './env.ts';

interface Slot {
  env: SimEnv;
  nextSeed: number;
}

type Request =
  | { id: number; type: 'init'; options: SimEnvOptions; count: number; imports: string[] }
  | { id: number; type: 'reset'; seeds: number[]; stride: number; options?: Record<string, unknown> }
  | { id: number; type: 'step'; actions: Float32Array[]; autoReset: boolean }
  | { id: number; type: 'close' };

const slots: Slot[] = [];
let stride = 1;

function transferables(obs: Observation, out: ArrayBuffer[]): void {
  for (const img of Object.values(obs.images)) out.push(img.buffer as ArrayBuffer);
  out.push(obs.state.buffer as ArrayBuffer);
}

function serializeError(e: unknown) {
  const err = e as {
    name?: string;
    message?: string;
    code?: string;
    field?: string;
    expected?: string;
    status?: number;
  };
  return {
    name: err?.name,
    message: err?.message ?? String(e),
    code: err?.code,
    field: err?.field,
    expected: err?.expected,
  };
}

async function handle(msg: Request): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  const transfer: ArrayBuffer[] = [];
  switch (msg.type) {
    case 'init': {
      for (const spec of msg.imports) await import(spec);
      for (let i = 0; i < msg.count; i++) slots.push({ env: await SimEnv.create(msg.options), nextSeed: 0 });
      return { result: { spec: slots[0]?.env.spec }, transfer };
    }
    case 'reset': {
      stride = msg.stride;
      const out = slots.map((s, i) => {
        const r = s.env.reset({ seed: msg.seeds[i], options: msg.options });
        s.nextSeed = msg.seeds[i] + stride;
        transferables(r.obs, transfer);
        return r;
      });
      return { result: out, transfer };
    }
    case 'step': {
      const out: StepResult[] = slots.map((s, i) => {
        const r = s.env.step(msg.actions[i]);
        if (msg.autoReset && (r.terminated || r.truncated)) {
          const seed = s.nextSeed;
          s.nextSeed += stride;
          const next = s.env.reset({ seed });
          transferables(r.obs, transfer);
          transferables(next.obs, transfer);
          return { ...r, obs: next.obs, info: { ...r.info, final_obs: r.obs, reset_info: next.info } };
        }
        transferables(r.obs, transfer);
        return r;
      });
      return { result: out, transfer };
    }
    case 'close': {
      for (const s of slots) s.env.dispose();
      slots.length = 0;
      return { result: null, transfer };
    }
  }
}

parentPort!.on('message', (msg: Request) => {
  handle(msg).then(
    ({ result, transfer }) => parentPort!.postMessage({ id: msg.id, ok: true, result }, transfer),
    (e) => parentPort!.postMessage({ id: msg.id, ok: false, error: serializeError(e) }),
  );
});
