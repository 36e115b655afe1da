import { closeSync, fsyncSync, openSync } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  truncate,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, type Logger, logger as rootLogger, ValidationError } from '@robofm/core';
import { decodeFrame, encodeFrame, NdArray } from '@robofm/protocol';
import type { EpisodeRecorder, StepRecord } from './control-loop.ts';

/**
 * A durable, append-only episode store on the robot's disk. Each episode is one file
 * `<id>.rfep` of records framed as `[u32 length][u32 crc32][msgpack payload]` (little endian,
 * payload in the wire format of @robofm/protocol). Records are written and fdatasync'd in groups
 * (every `flushIntervalMs`, and on `flush()`/`end()`); a record is durable once the flush that
 * carried it resolved. After a crash, `open` keeps every whole record and cuts a torn tail.
 * Upload happens later, at least once: `<id>.uploaded` is written (and synced) only after the
 * uploader confirmed, so a crash in between re-uploads, never loses.
 */
export interface EpisodeMeta {
  embodiment: string;
  task?: string;
  instruction?: string;
  [key: string]: unknown;
}

export interface EpisodeInfo {
  id: string;
  records: number;
  bytes: number;
  /** An `end` record was written (false for episodes cut short by a crash). */
  complete: boolean;
  uploaded: boolean;
  /** Bytes of torn tail removed when the buffer was opened. */
  recoveredBytes: number;
}

export interface StoredEpisode {
  id: string;
  meta: EpisodeMeta;
  steps: Record<string, unknown>[];
  end: Record<string, unknown> | null;
  complete: boolean;
}

/** Where episodes go once the network allows: the fleet service, a directory, … */
export interface EpisodeUploader {
  upload(episode: StoredEpisode): Promise<void>;
}

export interface EpisodeBufferOptions {
  /** Group-commit period for step records, ms (default 100). */
  flushIntervalMs?: number;
  logger?: Logger;
}

const EXT = '.rfep';
const HEADER = 8;

export class EpisodeBuffer {
  private readonly infos = new Map<string, EpisodeInfo>();
  private readonly open = new Set<string>();
  private readonly log: Logger;

  private constructor(
    readonly dir: string,
    private readonly opts: EpisodeBufferOptions,
  ) {
    this.log = (opts.logger ?? rootLogger).child({ component: 'episode-buffer', dir });
  }

  /** Opens (creating) the buffer directory and recovers every episode in it. */
  static async open(dir: string, opts: EpisodeBufferOptions = {}): Promise<EpisodeBuffer> {
    if (!dir) throw new ValidationError('dir', dir, 'a directory path');
    const fi = opts.flushIntervalMs ?? 100;
    if (!(fi > 0)) throw new ValidationError('flushIntervalMs', fi, 'a positive number of ms');
    await mkdir(dir, { recursive: true });
    const b = new EpisodeBuffer(dir, opts);
    const names = (await readdir(dir)).sort();
    const uploaded = new Set(names.filter((n) => n.endsWith('.uploaded')).map((n) => n.slice(0, -9)));
    for (const name of names) {
      if (!name.endsWith(EXT)) continue;
      const id = name.slice(0, -EXT.length);
      const info = await recover(join(dir, name), id);
      info.uploaded = uploaded.has(id);
      if (info.recoveredBytes > 0)
        b.log.warn('recovered a torn episode tail', {
          id,
          records: info.records,
          cut_bytes: info.recoveredBytes,
        });
      b.infos.set(id, info);
    }
    return b;
  }

  list(): EpisodeInfo[] {
    return [...this.infos.values()].map((i) => ({ ...i }));
  }

  /** Starts a new episode; its meta record is durable when this resolves. */
  async begin(meta: EpisodeMeta): Promise<EpisodeWriter> {
    if (!meta || typeof meta.embodiment !== 'string')
      throw new ValidationError('meta.embodiment', meta?.embodiment, 'a string');
    const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${Math.random().toString(16).slice(2, 10)}`;
    const path = join(this.dir, id + EXT);
    const fh = await open(path, 'wx');
    syncDir(this.dir);
    const info: EpisodeInfo = {
      id,
      records: 0,
      bytes: 0,
      complete: false,
      uploaded: false,
      recoveredBytes: 0,
    };
    this.infos.set(id, info);
    this.open.add(id);
    const w = new EpisodeWriter(
      id,
      fh,
      info,
      this.opts.flushIntervalMs ?? 100,
      () => this.open.delete(id),
      this.log,
    );
    w.append({ type: 'meta', ...meta, startedAt: new Date().toISOString() });
    await w.flush();
    return w;
  }

  /** Reads one episode back (every whole record). */
  async read(id: string): Promise<StoredEpisode> {
    if (!this.infos.has(id)) throw new ValidationError('episode id', id, 'an episode in this buffer');
    const buf = await readFile(join(this.dir, id + EXT));
    const { records } = parseRecords(buf);
    const meta = (records.find((r) => r.type === 'meta') ?? { embodiment: '' }) as EpisodeMeta;
    const end = records.find((r) => r.type === 'end') ?? null;
    return { id, meta, steps: records.filter((r) => r.type === 'step'), end, complete: end !== null };
  }

  /**
   * Uploads every closed episode not yet uploaded (crash-interrupted ones too), oldest first.
   * A failure leaves the episode pending for the next call.
   */
  async uploadPending(uploader: EpisodeUploader): Promise<{ uploaded: string[]; failed: string[] }> {
    const uploaded: string[] = [];
    const failed: string[] = [];
    for (const info of this.infos.values()) {
      if (info.uploaded || this.open.has(info.id)) continue;
      try {
        await uploader.upload(await this.read(info.id));
        const marker = join(this.dir, `${info.id}.uploaded`);
        const fh = await open(marker, 'w');
        await fh.sync();
        await fh.close();
        syncDir(this.dir);
        info.uploaded = true;
        uploaded.push(info.id);
      } catch (e) {
        failed.push(info.id);
        this.log.warn('upload failed; will retry', { id: info.id, error: (e as Error).message });
      }
    }
    return { uploaded, failed };
  }

  /** Deletes uploaded episodes (frees the robot's disk). */
  async prune(): Promise<number> {
    let n = 0;
    for (const info of [...this.infos.values()]) {
      if (!info.uploaded) continue;
      await unlink(join(this.dir, info.id + EXT));
      await unlink(join(this.dir, `${info.id}.uploaded`)).catch(() => {});
      this.infos.delete(info.id);
      n++;
    }
    syncDir(this.dir);
    return n;
  }
}

/** Appends records of one episode; also an `EpisodeRecorder` for the ControlLoop. */
export class EpisodeWriter implements EpisodeRecorder {
  private pending: Buffer[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Records known durable (fdatasync'd). */
  durable = 0;
  private appended = 0;
  /** Bytes of the file known durable. */
  private offset = 0;

  constructor(
    readonly id: string,
    private readonly fh: FileHandle,
    private readonly info: EpisodeInfo,
    private readonly flushIntervalMs: number,
    private readonly onClose: () => void,
    private readonly log: Logger,
  ) {}

  append(record: Record<string, unknown>): void {
    if (this.closed) throw new ValidationError('episode', this.id, 'an episode that has not ended');
    const payload = encodeFrame(record);
    const frame = Buffer.allocUnsafe(HEADER + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    frame.set(payload, HEADER);
    this.pending.push(frame);
    this.appended++;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush().catch(() => {});
    }, this.flushIntervalMs);
  }

  step(rec: StepRecord): void {
    const r: Record<string, unknown> = {
      type: 'step',
      t: rec.t,
      step: rec.step,
      mode: rec.mode,
      state: rec.state,
      qd: rec.qd,
    };
    if (rec.action) r.action = rec.action;
    if (rec.subtask !== undefined) r.subtask = rec.subtask;
    if (rec.images) r.images = rec.images;
    this.append(r);
  }

  /** Writes and syncs everything appended so far; resolves when it is on disk. */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const bufs = this.pending;
      const count = bufs.length;
      this.pending = [];
      const data = Buffer.concat(bufs);
      try {
        let off = 0;
        while (off < data.length)
          off += (await this.fh.write(data, off, data.length - off, this.offset + off)).bytesWritten;
        await this.fh.datasync();
      } catch (e) {
        // Disk full, I/O error…: cut any partial frame, keep the records for the next try.
        await this.fh.truncate(this.offset).catch(() => {});
        this.pending = bufs.concat(this.pending);
        this.log.error('episode write failed; records kept in memory for the next flush', {
          id: this.id,
          records: this.pending.length,
          error: (e as Error).message,
        });
        throw e;
      }
      this.offset += data.length;
      this.durable += count;
      this.info.records += count;
      this.info.bytes += data.length;
    });
    // A failed flush must not wedge later ones.
    this.flushing = run.catch(() => {});
    return run;
  }

  /** Writes the `end` record, syncs and closes the file. */
  async end(summary: Record<string, unknown> = {}): Promise<void> {
    if (this.closed) return;
    this.append({ type: 'end', ...summary, endedAt: new Date().toISOString() });
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    await this.fh.close();
    this.info.complete = true;
    this.onClose();
  }

  get appendedRecords(): number {
    return this.appended;
  }
}

function parseRecords(buf: Buffer): { records: Record<string, unknown>[]; validBytes: number } {
  const records: Record<string, unknown>[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (off + HEADER + len > buf.length) break;
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(payload) !== crc) break;
    let rec: unknown;
    try {
      rec = decodeFrame(payload);
    } catch {
      break;
    }
    records.push(plain(rec) as Record<string, unknown>);
    off += HEADER + len;
  }
  return { records, validBytes: off };
}

/** NdArrays back to typed arrays (1-D ones as written by `step`). */
function plain(v: unknown): unknown {
  if (v instanceof NdArray) return v.data;
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && !Array.isArray(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

async function recover(path: string, id: string): Promise<EpisodeInfo> {
  const buf = await readFile(path);
  const { records, validBytes } = parseRecords(buf);
  const size = (await stat(path)).size;
  if (validBytes < size) {
    await truncate(path, validBytes);
    const fd = openSync(path, 'r+');
    fsyncSync(fd);
    closeSync(fd);
  }
  return {
    id,
    records: records.length,
    bytes: validBytes,
    complete: records.some((r) => r.type === 'end'),
    uploaded: false,
    recoveredBytes: size - validBytes,
  };
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the file's own sync still holds.
  }
}

/** Uploads episodes into a directory (atomic: write, sync, rename), one msgpack file each. */
export class DirectoryUploader implements EpisodeUploader {
  constructor(readonly dir: string) {}
  async upload(ep: StoredEpisode): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const final = join(this.dir, `${ep.id}.msgpack`);
    const tmp = `${final}.tmp`;
    const fh = await open(tmp, 'w');
    await fh.writeFile(encodeFrame(ep as unknown as Record<string, unknown>));
    await fh.sync();
    await fh.close();
    await rename(tmp, final);
    syncDir(this.dir);
  }
}

/** POSTs each episode as one msgpack body (`content-type: application/msgpack`) to `url`. */
export class HttpUploader implements EpisodeUploader {
  constructor(
    readonly url: string,
    private readonly opts: { apiKey?: string; timeoutMs?: number } = {},
  ) {
    if (!/^https?:\/\//.test(url)) throw new ValidationError('url', url, 'an http:// or https:// URL');
  }
  async upload(ep: StoredEpisode): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/msgpack',
      'x-robofm-episode-id': ep.id,
    };
    if (this.opts.apiKey) headers.authorization = `Api-Key ${this.opts.apiKey}`;
    const res = await fetch(this.url, {
      method: 'POST',
      headers,
      body: encodeFrame(ep as unknown as Record<string, unknown>),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
    if (!res.ok) throw new Error(`upload of ${ep.id} to ${this.url}: HTTP ${res.status}`);
  }
}
