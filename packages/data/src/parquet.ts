import { closeSync, fsyncSync, openSync, statSync, writeSync } from 'node:fs';
import { RobofmError } from '@robofm/core';
import { type FileHandle, open } from 'node:fs/promises';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';

/**
 * Thin parquet layer over hyparquet (read) and hyparquet-writer (write), both pure JS. Columns are
 * described by a small kind; lists use the standard 3-level LIST layout (what pyarrow writes for
 * HF `Sequence` features), so pyarrow, pandas and DuckDB read our files as LeRobot expects.
 */
export type ScalarKind = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'string';
export type ColumnKind = ScalarKind | `list<${ScalarKind}>` | 'list<list<list<float64>>>';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** One entry per row: a scalar, or an array (typed or plain) for list kinds. */
  data: ArrayLike<unknown>;
}

const PHYSICAL: Record<ScalarKind, { type: string; converted_type?: string }> = {
  float32: { type: 'FLOAT' },
  float64: { type: 'DOUBLE' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  bool: { type: 'BOOLEAN' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

type SchemaEl = Record<string, unknown>;

function schemaFor(c: ColumnSpec): SchemaEl[] {
  let kind: string = c.kind;
  let depth = 0;
  while (kind.startsWith('list<')) {
    kind = kind.slice(5, -1);
    depth++;
  }
  const leaf = PHYSICAL[kind as ScalarKind];
  if (!leaf) throw new RobofmError('parquet_schema', `column ${c.name}: unknown kind ${c.kind}`);
  if (depth === 0) return [{ name: c.name, repetition_type: 'REQUIRED', ...leaf }];
  const out: SchemaEl[] = [];
  for (let d = 0; d < depth; d++) {
    out.push({
      name: d === 0 ? c.name : 'element',
      repetition_type: 'OPTIONAL',
      converted_type: 'LIST',
      num_children: 1,
    });
    out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
  }
  out.push({ name: 'element', repetition_type: 'OPTIONAL', ...leaf });
  return out;
}

function columnData(c: ColumnSpec): unknown[] | ArrayLike<unknown> {
  if (c.kind === 'int64') {
    const out = new BigInt64Array(c.data.length);
    for (let i = 0; i < c.data.length; i++) out[i] = BigInt(c.data[i] as number | bigint);
    return out;
  }
  if (c.kind === 'list<int64>') {
    return Array.from(c.data as ArrayLike<ArrayLike<number | bigint>>, (row) =>
      Array.from(row, (v) => BigInt(v)),
    );
  }
  if (c.kind.startsWith('list<')) {
    return Array.from(c.data as ArrayLike<unknown>, function toPlain(row: unknown): unknown {
      return ArrayBuffer.isView(row)
        ? Array.from(row as unknown as ArrayLike<number>)
        : Array.isArray(row)
          ? row.map(toPlain)
          : row;
    });
  }
  if (c.kind === 'float32' && !(c.data instanceof Float32Array))
    return Float32Array.from(c.data as ArrayLike<number>);
  if (c.kind === 'float64' && !(c.data instanceof Float64Array))
    return Float64Array.from(c.data as ArrayLike<number>);
  if (c.kind === 'int32' && !(c.data instanceof Int32Array))
    return Int32Array.from(c.data as ArrayLike<number>);
  return Array.from(c.data);
}

/** Encodes columns as one parquet file in memory. All columns must have the same number of rows. */
export function encodeParquet(
  columns: ColumnSpec[],
  kvMetadata: { key: string; value: string }[] = [],
  rowGroupSizes?: number[],
): Uint8Array {
  const rows = columns[0]?.data.length ?? 0;
  for (const c of columns) {
    if (c.data.length !== rows)
      throw new RobofmError('parquet_rows', `column ${c.name} has ${c.data.length} rows, expected ${rows}`);
  }
  const schema: SchemaEl[] = [{ name: 'schema', num_children: columns.length }];
  for (const c of columns) schema.push(...schemaFor(c));
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: columns.map((c) => ({ name: c.name, data: columnData(c) as never })),
    schema: schema as never,
    kvMetadata,
    rowGroupSize: rowGroupSizes?.length ? [...rowGroupSizes, 100_000] : 100_000,
    createdBy: 'robofm (hyparquet-writer)',
  });
  return new Uint8Array(writer.getBuffer());
}

/** Writes bytes to `path` and fsyncs (the caller renames into place for atomicity). */
export function writeFileSynced(path: string, bytes: Uint8Array | string): void {
  const fd = openSync(path, 'w');
  try {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeParquetFile(
  path: string,
  columns: ColumnSpec[],
  kv: { key: string; value: string }[] = [],
): void {
  writeFileSynced(path, encodeParquet(columns, kv));
}

export interface ParquetTable {
  /** Row count of the requested range. */
  numRows: number;
  columns: Record<string, unknown[]>;
}

/**
 * One open file handle as hyparquet's AsyncBuffer: footer and pages come from the same inode even if
 * a writer atomically replaces the file meanwhile (appending rewrites it).
 */
async function openFile(path: string): Promise<{ file: AsyncBuffer; close: () => Promise<void> }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new RobofmError('file_missing', `${path}: file not found`, { cause: e });
  }
  const size = (await fh.stat()).size;
  const file: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number) {
      const stop = end ?? size;
      const buf = new Uint8Array(Math.max(0, stop - start));
      let off = 0;
      while (off < buf.length) {
        const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.buffer;
    },
  };
  return { file, close: () => fh.close() };
}

async function metadataOf(path: string, file: AsyncBuffer): Promise<FileMetaData> {
  if (file.byteLength < 12)
    throw new RobofmError(
      'parquet_truncated',
      `${path}: ${file.byteLength} bytes is too short for a parquet file (truncated?)`,
    );
  try {
    return await parquetMetadataAsync(file);
  } catch (e) {
    throw new RobofmError(
      'parquet_corrupt',
      `${path}: not a readable parquet file (truncated or corrupt): ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/** Reads the footer; a clear error for missing or truncated files. */
export async function readParquetMetadata(path: string): Promise<FileMetaData> {
  const { file, close } = await openFile(path);
  try {
    return await metadataOf(path, file);
  } finally {
    await close();
  }
}

/** Reads some columns (all when omitted) of rows [rowStart, rowEnd) column-wise. */
export async function readParquet(
  path: string,
  opts: { columns?: string[]; rowStart?: number; rowEnd?: number } = {},
): Promise<ParquetTable> {
  const { file, close } = await openFile(path);
  try {
    const metadata = await metadataOf(path, file);
    const names = topLevelColumns(metadata);
    const wanted = opts.columns ?? names;
    for (const c of wanted) {
      if (!names.includes(c))
        throw new RobofmError('parquet_column', `${path}: column '${c}' missing (has ${names.join(', ')})`);
    }
    const total = Number(metadata.num_rows);
    const rowStart = opts.rowStart ?? 0;
    const rowEnd = Math.min(opts.rowEnd ?? total, total);
    const out: Record<string, unknown[]> = {};
    for (const c of wanted) out[c] = [];
    if (rowEnd <= rowStart || wanted.length === 0)
      return { numRows: Math.max(0, rowEnd - rowStart), columns: out };
    try {
      await parquetRead({
        file,
        metadata,
        columns: wanted,
        rowStart,
        rowEnd,
        onComplete: (rows: unknown[][]) => {
          for (const row of rows) for (let j = 0; j < wanted.length; j++) out[wanted[j]].push(row[j]);
        },
      });
    } catch (e) {
      throw new RobofmError(
        'parquet_corrupt',
        `${path}: failed to read rows ${rowStart}..${rowEnd}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    return { numRows: rowEnd - rowStart, columns: out };
  } finally {
    await close();
  }
}

/** Names of the top-level columns in schema order. */
export function topLevelColumns(metadata: FileMetaData): string[] {
  const names: string[] = [];
  const schema = metadata.schema;
  let i = 1;
  const skip = (idx: number): number => {
    const n = schema[idx].num_children ?? 0;
    let next = idx + 1;
    for (let k = 0; k < n; k++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    names.push(schema[i].name);
    i = skip(i);
  }
  return names;
}

export function fileSizeMb(path: string): number {
  try {
    return statSync(path).size / (1024 * 1024);
  } catch {
    return 0;
  }
}
