import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instructionCorpus } from './instruction-corpus.ts';
import { BOS_ID, BpeTokenizer, EOS_ID, PAD_ID } from './tokenizer.ts';

describe('BpeTokenizer', () => {
  const tok = BpeTokenizer.train(instructionCorpus(), 512);

  it('learns merges that compress instructions', () => {
    const text = 'put the red cube in the blue bin';
    const ids = tok.encode(text);
    expect(ids.length).toBeLessThan(text.length / 2);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.vocabSize).toBeLessThanOrEqual(512);
  });

  it('encodes any UTF-8 text without throwing and decodes it back (normalized)', () => {
    for (const s of ['Käse 🤖 zebra-quark!!', '\u0000\u0001 tabs\tand\nnewlines', '日本語のテキスト', '']) {
      const ids = tok.encode(s);
      expect(tok.decode(ids)).toBe(s.toLowerCase().replace(/\s+/g, ' ').trim());
    }
  });

  it('pads / truncates to a fixed length with bos/eos and a mask', () => {
    const { ids, mask } = tok.encodeFixed('press the green button', 12);
    expect(ids[0]).toBe(BOS_ID);
    const n = mask.reduce((a, b) => a + b, 0);
    expect(ids[n - 1]).toBe(EOS_ID);
    expect(ids[n]).toBe(PAD_ID);
    const long = tok.encodeFixed('a very long instruction '.repeat(20), 8);
    expect([...long.mask]).toEqual(new Array(8).fill(1));
    expect(long.ids[7]).toBe(EOS_ID);
  });

  it('round-trips through its saved file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tok-')), 'tokenizer.json');
    tok.save(path);
    const back = BpeTokenizer.load(path);
    const s = 'could you get the yellow ball into the purple bin';
    expect(back.encode(s)).toEqual(tok.encode(s));
  });

  it('rejects a corrupt tokenizer file with a named field', () => {
    expect(() => BpeTokenizer.fromJSON({ type: 'x' })).toThrow(/tokenizer.json/);
    expect(() => BpeTokenizer.fromJSON({ type: 'robofm-byte-bpe', version: 1, merges: [[900, 3]] })).toThrow(
      /merges\[0\]/,
    );
  });
});
