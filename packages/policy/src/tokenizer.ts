import { readFileSync, writeFileSync } from 'node:fs';
import { ValidationError } from '@robofm/core';

/**
 * Byte-level BPE tokenizer (GPT-2 style, minus the regex): text is normalized (NFC, lowercase,
 * collapsed whitespace), split into words that carry their leading space, and each word's UTF-8
 * bytes are merged by learned pair ranks. Every byte has its own id, so any UTF-8 text encodes
 * (unknown words fall back to smaller pieces, never to an error).
 *
 * Ids: 0 = <pad>, 1 = <bos>, 2 = <eos>, 3..258 = bytes 0..255, then one id per merge.
 */
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
const BYTE_OFFSET = 3;
const FIRST_MERGE_ID = BYTE_OFFSET + 256;

export interface TokenizerJson {
  type: 'robofm-byte-bpe';
  version: 1;
  /** Merges in rank order: each pair of ids becomes id `259 + rank`. */
  merges: Array<[number, number]>;
}

export class BpeTokenizer {
  private readonly ranks = new Map<string, number>();
  private readonly pieces: Uint8Array[] = [];
  private readonly cache = new Map<string, number[]>();

  constructor(readonly merges: Array<[number, number]> = []) {
    for (let b = 0; b < 256; b++) this.pieces[BYTE_OFFSET + b] = Uint8Array.of(b);
    merges.forEach(([a, b], rank) => {
      const id = FIRST_MERGE_ID + rank;
      if (!(a >= BYTE_OFFSET && a < id && b >= BYTE_OFFSET && b < id))
        throw new ValidationError(`tokenizer.merges[${rank}]`, [a, b], `ids in [${BYTE_OFFSET}, ${id})`);
      this.ranks.set(`${a},${b}`, rank);
      const pa = this.pieces[a];
      const pb = this.pieces[b];
      const p = new Uint8Array(pa.length + pb.length);
      p.set(pa, 0);
      p.set(pb, pa.length);
      this.pieces[id] = p;
    });
  }

  get vocabSize(): number {
    return FIRST_MERGE_ID + this.merges.length;
  }

  /** Learns `vocabSize - 259` merges from a corpus (most frequent adjacent pair first). */
  static train(corpus: Iterable<string>, vocabSize: number): BpeTokenizer {
    if (!Number.isInteger(vocabSize) || vocabSize < FIRST_MERGE_ID)
      throw new ValidationError('vocabSize', vocabSize, `an integer >= ${FIRST_MERGE_ID}`);
    const wordCounts = new Map<string, number>();
    for (const text of corpus) {
      for (const w of splitWords(normalizeText(text))) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    }
    const words: Array<{ ids: number[]; count: number }> = [];
    const enc = new TextEncoder();
    for (const [w, count] of wordCounts)
      words.push({ ids: [...enc.encode(w)].map((b) => b + BYTE_OFFSET), count });
    const merges: Array<[number, number]> = [];
    while (FIRST_MERGE_ID + merges.length < vocabSize) {
      const pairCounts = new Map<string, number>();
      for (const { ids, count } of words) {
        for (let i = 0; i + 1 < ids.length; i++) {
          const k = `${ids[i]},${ids[i + 1]}`;
          pairCounts.set(k, (pairCounts.get(k) ?? 0) + count);
        }
      }
      let best = '';
      let bestCount = 1; // a pair seen once is not worth a token
      for (const [k, c] of pairCounts) {
        if (c > bestCount || (c === bestCount && best !== '' && k < best)) {
          best = k;
          bestCount = c;
        }
      }
      if (best === '') break;
      const [a, b] = best.split(',').map(Number);
      const id = FIRST_MERGE_ID + merges.length;
      merges.push([a, b]);
      for (const w of words) w.ids = mergePair(w.ids, a, b, id);
    }
    return new BpeTokenizer(merges);
  }

  /** Token ids of `text` (no specials). Never throws on text content. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const w of splitWords(normalizeText(String(text ?? '')))) {
      let ids = this.cache.get(w);
      if (!ids) {
        ids = this.encodeWord(w);
        if (this.cache.size < 50_000) this.cache.set(w, ids);
      }
      out.push(...ids);
    }
    return out;
  }

  /** `<bos> tokens <eos>` truncated / padded with `<pad>` to exactly `length`; mask 1 = real token. */
  encodeFixed(text: string, length: number): { ids: Int32Array; mask: Uint8Array } {
    const ids = new Int32Array(length);
    const mask = new Uint8Array(length);
    const toks = [BOS_ID, ...this.encode(text)].slice(0, Math.max(0, length - 1));
    toks.push(EOS_ID);
    toks.slice(0, length).forEach((t, i) => {
      ids[i] = t;
      mask[i] = 1;
    });
    return { ids, mask };
  }

  decode(ids: Iterable<number>): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const p = this.pieces[id];
      if (p) bytes.push(...p);
    }
    return new TextDecoder().decode(Uint8Array.from(bytes));
  }

  toJSON(): TokenizerJson {
    return { type: 'robofm-byte-bpe', version: 1, merges: this.merges };
  }

  static fromJSON(json: unknown): BpeTokenizer {
    const j = json as Partial<TokenizerJson> | null;
    if (j?.type !== 'robofm-byte-bpe' || !Array.isArray(j.merges))
      throw new ValidationError('tokenizer.json', json, "an object {type: 'robofm-byte-bpe', merges: [...]}");
    return new BpeTokenizer(j.merges);
  }

  save(path: string): void {
    writeFileSync(path, `${JSON.stringify(this.toJSON())}\n`);
  }

  static load(path: string): BpeTokenizer {
    return BpeTokenizer.fromJSON(JSON.parse(readFileSync(path, 'utf8')));
  }

  private encodeWord(w: string): number[] {
    let ids = [...new TextEncoder().encode(w)].map((b) => b + BYTE_OFFSET);
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestI = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.ranks.get(`${ids[i]},${ids[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestI = i;
        }
      }
      if (bestI < 0) return ids;
      const [a, b] = this.merges[bestRank];
      ids = mergePair(ids, a, b, FIRST_MERGE_ID + bestRank);
    }
  }
}

function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]);
  }
  return out;
}

/** NFC, lowercase, whitespace collapsed, trimmed. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Words with their leading space (" red"), punctuation split off as its own word. */
function splitWords(text: string): string[] {
  return text.match(/ ?[\p{L}\p{N}_]+| ?[^\s\p{L}\p{N}_]+/gu) ?? [];
}
