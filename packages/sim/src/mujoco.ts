/**
 * The one place that loads MuJoCo's WebAssembly module (one per thread) and owns raw handles.
 * `SimModel` owns an MjModel + MjData pair; buffers come from `heapBuffer`. Everything here must be
 * disposed exactly once; `liveHandles()` counts what is alive so tests can catch leaks.
 */
import { RobofmError } from '@robofm/core';
import loadMujoco, { type MainModule, type MjData, type MjModel } from 'mujoco-js';

export type { MainModule, MjData, MjModel };

let modulePromise: Promise<MainModule> | undefined;
let loaded: MainModule | undefined;
let live = { models: 0, datas: 0, buffers: 0 };
let fileCounter = 0;

/** Loads (once per thread) and returns the MuJoCo module. */
export async function loadMujocoModule(): Promise<MainModule> {
  if (!modulePromise) {
    modulePromise = loadMujoco().then((m) => {
      loaded = m;
      return m;
    });
  }
  return modulePromise;
}

/** The module, if already loaded (synchronous code paths after `await loadMujocoModule()`). */
export function mujocoModule(): MainModule {
  if (!loaded)
    throw new RobofmError('sim_not_loaded', 'MuJoCo is not loaded yet: await loadMujocoModule() first');
  return loaded;
}

/** Live MjModel / MjData / heap-buffer handles owned by robofm in this thread. */
export function liveHandles(): { models: number; datas: number; buffers: number } {
  return { ...live };
}

/** A double/int buffer on the WASM heap (output arguments must live there). Free with `delete()`. */
export interface HeapBuffer<T extends Float64Array | Int32Array> {
  /** A fresh view (views detach when the heap grows: call again after allocations). */
  view(): T;
  /** A Uint8 view over the same bytes (mj_multiRay's geomgroup). */
  bytes(n: number): Uint8Array;
  delete(): void;
}

export function heapBuffer(kind: 'f64', n: number): HeapBuffer<Float64Array>;
export function heapBuffer(kind: 'i32', n: number): HeapBuffer<Int32Array>;
export function heapBuffer(kind: 'f64' | 'i32', n: number): HeapBuffer<Float64Array | Int32Array> {
  const mj = mujocoModule();
  const raw = kind === 'f64' ? new mj.DoubleBuffer(Math.max(1, n)) : new mj.IntBuffer(Math.max(1, n));
  live.buffers++;
  let deleted = false;
  let cached: Float64Array | Int32Array = raw.GetView();
  return {
    view() {
      if (cached.length === 0) cached = raw.GetView();
      return cached;
    },
    bytes(len: number) {
      const v = raw.GetView() as Float64Array;
      return new Uint8Array(v.buffer, raw.GetPointer(), len);
    },
    delete() {
      if (deleted) return;
      deleted = true;
      raw.delete();
      live.buffers--;
    },
  };
}

/** Compiles an MJCF string. Throws RobofmError('mjcf_invalid') with the XML's head on failure. */
export function compileMjcf(xml: string): MjModel {
  const mj = mujocoModule();
  const path = `/robofm-${process.pid}-${fileCounter++}.xml`;
  mj.FS.writeFile(path, xml);
  try {
    const model = mj.MjModel.loadFromXML(path);
    if (!model) throw new Error('loadFromXML returned null');
    live.models++;
    return model;
  } catch (e) {
    const name = (e as { name?: string })?.name ?? String(e);
    throw new RobofmError(
      'mjcf_invalid',
      `MuJoCo rejected the generated MJCF (${name}); model starts: ${xml.slice(0, 200)}`,
      { cause: e },
    );
  } finally {
    mj.FS.unlink(path);
  }
}

export function newData(model: MjModel): MjData {
  const mj = mujocoModule();
  const d = new mj.MjData(model);
  live.datas++;
  return d;
}

export function deleteModel(model: MjModel): void {
  model.delete();
  live.models--;
}

export function deleteData(data: MjData): void {
  data.delete();
  live.datas--;
}

/** For tests in a fresh thread. */
export function resetLiveCountsForTest(): void {
  live = { models: 0, datas: 0, buffers: 0 };
}

export const OBJ = {
  body: 1,
  joint: 3,
  geom: 5,
  site: 6,
  camera: 7,
} as const;
