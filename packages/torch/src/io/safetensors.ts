/**
 * safetensors (https://github.com/huggingface/safetensors): u64 little-endian header length, a JSON
 * header `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {str: str} }` padded
 * with spaces to a multiple of 8 bytes, then the tensors' bytes back to back (offsets relative to the
 * data start, no holes). Files are streamed tensor by tensor (never one buffer for the whole file).
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { ValidationError } from '@robofm/core';
import { tensor } from '../creation.ts';
import { type DType, ITEM_SIZE } from '../dtype.ts';
import { TorchError } from '../errors.ts';
import { N } from '../native.ts';
import { Tensor } from '../tensor.ts';

const TO_ST: Record<DType, string> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};
const FROM_ST: Record<string, DType> = Object.fromEntries(
  Object.entries(TO_ST).map(([k, v]) => [v, k as DType]),
);
const MAX_HEADER = 100 * 1024 * 1024;

export interface SafetensorsContent {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function invalid(msg: string): TorchError {
  return new TorchError('safetensors_invalid', 'safetensors', msg);
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  bytes: Uint8Array;
}

function entries(tensors: Record<string, Tensor>): Entry[] {
  const names = Object.keys(tensors).sort();
  return names.map((name) => {
    const t = tensors[name];
    if (!(t instanceof Tensor)) throw new ValidationError(`tensors.${name}`, t, 'a Tensor');
    if (name === '__metadata__')
      throw new ValidationError('tensors', name, 'a tensor name other than __metadata__');
    return { name, dtype: t.dtype, shape: [...t.shape], bytes: new Uint8Array(N.toBuffer(t.id)) };
  });
}

function headerBytes(list: Entry[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new ValidationError(`metadata.${k}`, v, 'a string');
    header.__metadata__ = metadata;
  }
  let off = 0;
  for (const e of list) {
    header[e.name] = { dtype: TO_ST[e.dtype], shape: e.shape, data_offsets: [off, off + e.bytes.byteLength] };
    off += e.bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  const pad = (8 - (raw.byteLength % 8)) % 8;
  json += ' '.repeat(pad);
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  out.set(body, 8);
  return out;
}

/** Serialises tensors (+ string metadata) to safetensors bytes. */
export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list = entries(tensors);
  const head = headerBytes(list, metadata);
  const total = head.byteLength + list.reduce((n, e) => n + e.bytes.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(head, 0);
  let off = head.byteLength;
  for (const e of list) {
    out.set(e.bytes, off);
    off += e.bytes.byteLength;
  }
  return out;
}

/** Writes a safetensors file, tensor by tensor. */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  const names = Object.keys(tensors).sort();
  // Header needs every size first; data is copied out one tensor at a time.
  const meta: Entry[] = names.map((name) => {
    const t = tensors[name];
    if (!(t instanceof Tensor)) throw new ValidationError(`tensors.${name}`, t, 'a Tensor');
    return {
      name,
      dtype: t.dtype,
      shape: [...t.shape],
      bytes: new Uint8Array(t.numel() * ITEM_SIZE[t.dtype]),
    };
  });
  const head = headerBytes(meta, metadata);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    for (const name of names) writeSync(fd, new Uint8Array(N.toBuffer(tensors[name].id)));
  } finally {
    closeSync(fd);
  }
}

interface HeaderInfo {
  dataStart: number;
  metadata: Record<string, string>;
  items: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[];
}

function parseHeader(head8: Uint8Array, readHeader: (len: number) => Uint8Array, total: number): HeaderInfo {
  if (head8.byteLength < 8) throw invalid(`file too short (${total} bytes) for the 8-byte header length`);
  const n = new DataView(head8.buffer, head8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, total - 8)))
    throw invalid(`header length ${n} exceeds the file (${total} bytes) or the 100 MB limit`);
  const len = Number(n);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readHeader(len)));
  } catch (e) {
    throw invalid(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw invalid('header is not a JSON object');
  const dataStart = 8 + len;
  const dataLen = total - dataStart;
  const metadata: Record<string, string> = {};
  const items: HeaderInfo['items'] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object') throw invalid('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') throw invalid(`__metadata__.${k} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = FROM_ST[String(info?.dtype)];
    if (!dtype)
      throw invalid(
        `${name}: dtype ${JSON.stringify(info?.dtype)} unsupported (F32, F16, BF16, F64, I64, I32, U8, BOOL)`,
      );
    const shape = info.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
      throw invalid(`${name}: bad shape`);
    const off = info.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((x) => Number.isInteger(x) && x >= 0) ||
      off[1] < off[0]
    )
      throw invalid(`${name}: bad data_offsets`);
    const expectBytes = (shape as number[]).reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype];
    if (off[1] - off[0] !== expectBytes)
      throw invalid(
        `${name}: data_offsets span ${off[1] - off[0]} bytes, shape ${JSON.stringify(shape)} needs ${expectBytes}`,
      );
    if (off[1] > dataLen)
      throw invalid(`${name}: data_offsets end ${off[1]} beyond the data (${dataLen} bytes)`);
    items.push({ name, dtype, shape: shape as number[], begin: off[0], end: off[1] });
  }
  // The byte buffer must be covered exactly, without overlaps or holes.
  const sorted = [...items].sort((a, b) => a.begin - b.begin);
  let pos = 0;
  for (const it of sorted) {
    if (it.begin !== pos)
      throw invalid(`${it.name}: data starts at ${it.begin}, expected ${pos} (overlap or hole)`);
    pos = it.end;
  }
  if (pos !== dataLen) throw invalid(`data section is ${dataLen} bytes but tensors cover ${pos}`);
  return { dataStart, metadata, items };
}

function makeTensor(dtype: DType, shape: number[], bytes: Uint8Array): Tensor {
  // TypedArray views need aligned offsets: copy when the bytes sit at an unaligned offset.
  let copy = bytes;
  if (bytes.byteOffset % ITEM_SIZE[dtype] !== 0 || bytes.byteLength !== bytes.buffer.byteLength) {
    copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
  }
  const view =
    dtype === 'float32'
      ? new Float32Array(copy.buffer)
      : dtype === 'float64'
        ? new Float64Array(copy.buffer)
        : dtype === 'int32'
          ? new Int32Array(copy.buffer)
          : dtype === 'int64'
            ? new BigInt64Array(copy.buffer)
            : dtype === 'float16' || dtype === 'bfloat16'
              ? new Uint16Array(copy.buffer)
              : copy;
  return tensor(view, { shape, dtype });
}

/** Parses safetensors bytes. The tensors belong to the current scope. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContent {
  const h = parseHeader(bytes.subarray(0, 8), (len) => bytes.subarray(8, 8 + len), bytes.byteLength);
  const tensors: Record<string, Tensor> = {};
  for (const it of h.items)
    tensors[it.name] = makeTensor(
      it.dtype,
      it.shape,
      bytes.subarray(h.dataStart + it.begin, h.dataStart + it.end),
    );
  return { tensors, metadata: h.metadata };
}

/** Reads a safetensors file tensor by tensor. The tensors belong to the current scope. */
export function loadSafetensors(path: string): SafetensorsContent {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head8 = new Uint8Array(Math.min(8, size));
    readSync(fd, head8, 0, head8.byteLength, 0);
    const h = parseHeader(
      head8,
      (len) => {
        const b = new Uint8Array(len);
        readSync(fd, b, 0, len, 8);
        return b;
      },
      size,
    );
    const tensors: Record<string, Tensor> = {};
    for (const it of h.items) {
      const b = new Uint8Array(it.end - it.begin);
      let got = 0;
      while (got < b.byteLength) {
        const r = readSync(fd, b, got, b.byteLength - got, h.dataStart + it.begin + got);
        if (r <= 0) throw invalid(`${it.name}: file ended early`);
        got += r;
      }
      tensors[it.name] = makeTensor(it.dtype, it.shape, b);
    }
    return { tensors, metadata: h.metadata };
  } finally {
    closeSync(fd);
  }
}
