import { spawn } from 'node:child_process';
import { appendFile, type FileHandle, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@robofm/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DirectoryUploader,
  EpisodeBuffer,
  type EpisodeInfo,
  type EpisodeUploader,
  EpisodeWriter,
  type StoredEpisode,
} from './episode-buffer.ts';

const quiet = new Logger({}, 'silent');
const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'robofm-epbuf-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function stepRec(step: number) {
  return {
    t: step / 50,
    step,
    mode: 'remote' as const,
    state: Float32Array.from([step, 1, 2]),
    qd: new Float32Array(3),
    action: Float32Array.from([step]),
  };
}

describe('EpisodeBuffer', () => {
  it('writes, syncs and reads episodes back after reopening', async () => {
    const dir = await tmp();
    const buf = await EpisodeBuffer.open(dir, { logger: quiet });
    const w = await buf.begin({ embodiment: 'di', task: 'reach', instruction: 'go' });
    for (let s = 0; s < 100; s++)
      w.step(s === 7 ? { ...stepRec(s), images: { front: Uint8Array.from([1, 2, 3, 250]) } } : stepRec(s));
    await w.end({ success: true });
    const again = await EpisodeBuffer.open(dir, { logger: quiet });
    const [info] = again.list();
    expect(info).toMatchObject({
      id: w.id,
      records: 102,
      complete: true,
      uploaded: false,
      recoveredBytes: 0,
    });
    const ep = await again.read(w.id);
    expect(ep.meta).toMatchObject({ embodiment: 'di', task: 'reach', instruction: 'go' });
    expect(ep.steps).toHaveLength(100);
    expect(Array.from(ep.steps[42].state as Float32Array)).toEqual([42, 1, 2]);
    expect(ep.end).toMatchObject({ success: true });
    expect(Array.from((ep.steps[7].images as Record<string, Uint8Array>).front)).toEqual([1, 2, 3, 250]);
  });

  it('cuts a torn tail and keeps every whole record', async () => {
    const dir = await tmp();
    const buf = await EpisodeBuffer.open(dir, { logger: quiet });
    const w = await buf.begin({ embodiment: 'di' });
    for (let s = 0; s < 10; s++) w.step(stepRec(s));
    await w.flush();
    // A crash in the middle of a write: half a header and garbage.
    await appendFile(join(dir, `${w.id}.rfep`), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const again = await EpisodeBuffer.open(dir, { logger: quiet });
    const [info] = again.list();
    expect(info).toMatchObject({ records: 11, complete: false, recoveredBytes: 7 });
    expect((await again.read(w.id)).steps).toHaveLength(10);
  });

  it('a failed write (disk full) loses nothing: the partial frame is cut and the records retried', async () => {
    let file = Buffer.alloc(0);
    let failNext = true;
    const fh = {
      write: async (data: Buffer, off: number, len: number, pos: number) => {
        const n = failNext ? Math.floor(len / 2) : len;
        const next = Buffer.alloc(Math.max(file.length, pos + n));
        file.copy(next);
        data.copy(next, pos, off, off + n);
        file = next;
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return { bytesWritten: n };
      },
      datasync: async () => {},
      truncate: async (len: number) => {
        file = file.subarray(0, len);
      },
      close: async () => {},
    } as unknown as FileHandle;
    const info: EpisodeInfo = {
      id: 'x',
      records: 0,
      bytes: 0,
      complete: false,
      uploaded: false,
      recoveredBytes: 0,
    };
    const w = new EpisodeWriter('x', fh, info, 1000, () => {}, quiet);
    for (let s = 0; s < 20; s++) w.step(stepRec(s));
    await expect(w.flush()).rejects.toThrow(/ENOSPC/);
    expect(file.length).toBe(0); // the half-written frame was cut
    expect(w.durable).toBe(0);
    for (let s = 20; s < 30; s++) w.step(stepRec(s));
    await w.end();
    expect(w.durable).toBe(31);
    const dir = await tmp();
    await writeFile(join(dir, 'x.rfep'), file);
    const ep = await (await EpisodeBuffer.open(dir, { logger: quiet })).read('x');
    expect(ep.steps.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('survives kill -9 of the writing process: every record reported durable is there', async () => {
    const dir = await tmp();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'testing/episode-writer-child.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let durable = 0;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = [...out.matchAll(/durable (\d+)/g)];
        if (m.length) durable = Number(m[m.length - 1][1]);
        if (durable >= 400) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      setTimeout(() => reject(new Error(`child too slow: ${out.slice(-200)}`)), 60_000);
    });
    await new Promise((r) => child.once('exit', r));
    const buf = await EpisodeBuffer.open(dir, { logger: quiet });
    const [info] = buf.list();
    expect(info.complete).toBe(false);
    const ep = await buf.read(info.id);
    expect(ep.steps.length).toBeGreaterThanOrEqual(durable - 1); // `durable` counts the meta record too
    // In order, none missing, none corrupt.
    expect(ep.steps.map((s) => s.step)).toEqual(ep.steps.map((_, i) => i));
    // The recovered episode can be uploaded like any other.
    const up = new DirectoryUploader(join(dir, 'uploaded'));
    expect((await buf.uploadPending(up)).uploaded).toEqual([info.id]);
  });

  it('uploads at least once: a failing uploader leaves episodes pending, markers survive restarts', async () => {
    const dir = await tmp();
    const buf = await EpisodeBuffer.open(dir, { logger: quiet });
    for (let e = 0; e < 3; e++) {
      const w = await buf.begin({ embodiment: 'di', n: e });
      w.step(stepRec(e));
      await w.end();
    }
    const open = await buf.begin({ embodiment: 'di' }); // still recording: never uploaded
    let networkUp = false;
    const got: StoredEpisode[] = [];
    const flaky: EpisodeUploader = {
      upload: async (ep) => {
        if (!networkUp) throw new Error('network down');
        got.push(ep);
      },
    };
    expect(await buf.uploadPending(flaky)).toMatchObject({ uploaded: [], failed: expect.any(Array) });
    networkUp = true;
    const r = await buf.uploadPending(flaky);
    expect(r.uploaded).toHaveLength(3);
    expect(got.map((e) => e.meta.n)).toEqual([0, 1, 2]);
    await open.end();
    const again = await EpisodeBuffer.open(dir, { logger: quiet });
    expect(again.list().filter((i) => i.uploaded)).toHaveLength(3);
    expect((await again.uploadPending(flaky)).uploaded).toEqual([open.id]);
    expect(await again.prune()).toBe(4);
    expect((await readdir(dir)).filter((f) => f.endsWith('.rfep'))).toEqual([]);
  });
});
