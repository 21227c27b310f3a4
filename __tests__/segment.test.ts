import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigramKey } from '../src/analysis/bigrams';
import { normalize } from '../src/analysis/normalize';
import { BigramCollector, BigramPostings, type BigramLookup } from '../src/format/bigram-postings';
import { BigramFile, encodeBigramFile } from '../src/segment/bigram-file';
import { FileDocTexts } from '../src/segment/doc-texts';
import { encodeTextFile, TextFile } from '../src/segment/text-file';

/** The on-disk structures of src/segment/: written, reopened and read by position. */

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'zhsearch-segment-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomDocs(count: number, seed: number): Array<Record<string, number>> {
  let s = seed;
  const rand = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const chars = '中国经济发展香港政府人民城市交通地铁';
  return Array.from({ length: count }, () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1 + rand(12); i++) {
      const t = chars[rand(chars.length)] + chars[rand(chars.length)];
      counts[t] = (counts[t] ?? 0) + 1 + rand(3);
    }
    return counts;
  });
}

function store(docs: Array<Record<string, number>>): BigramPostings {
  const c = new BigramCollector();
  docs.forEach((counts, i) => c.add(i, new Map(Object.entries(counts).map(([k, v]) => [bigramKey(k), v]))));
  return c.finish();
}

const list = (s: BigramLookup, term: string): { docs: number[]; tfs: number[] } | null => {
  const l = s.lookup(bigramKey(term));
  return l ? { docs: [...l.docs], tfs: [...l.tfs] } : null;
};

describe('bigram posting file', () => {
  test('every list read from the file equals the in-memory store, and so do counts and the whole store', () => {
    const docs = randomDocs(300, 11);
    const mem = store(docs);
    const path = join(dir, 'bigrams.bin');
    writeFileSync(path, encodeBigramFile(mem));
    const file = BigramFile.open(path);
    const chars = '中国经济发展香港政府人民城市交通地铁';
    let lists = 0;
    for (const a of chars) {
      for (const b of chars) {
        const t = a + b;
        // Twice: the second read may come from the list cache.
        expect(list(file, t)).toEqual(list(mem, t));
        expect(list(file, t)).toEqual(list(mem, t));
        expect(file.count(bigramKey(t))).toBe(mem.lookup(bigramKey(t))?.docs.length ?? 0);
        if (list(mem, t)) lists++;
      }
    }
    expect(lists).toBeGreaterThan(50);
    const all = file.readAll();
    expect([...all.keys]).toEqual([...mem.keys]);
    expect([...all.offsets]).toEqual([...mem.offsets]);
    expect([...all.docs]).toEqual([...mem.docs]);
    expect([...all.tfs]).toEqual([...mem.tfs]);
    file.close();
  });

  test('32-bit document numbers survive the file', () => {
    const big = BigramPostings.merge([store([{ 政府: 1 }]), store([{ 政府: 3 }])], [0, 70000], 70001);
    const path = join(dir, 'big.bin');
    writeFileSync(path, encodeBigramFile(big));
    const file = BigramFile.open(path);
    expect(list(file, '政府')).toEqual({ docs: [0, 70000], tfs: [1, 3] });
    expect(file.readAll().docs.BYTES_PER_ELEMENT).toBe(4);
    file.close();
  });

  test('a truncated, padded or foreign file is refused with a message naming it', () => {
    const bytes = encodeBigramFile(store(randomDocs(20, 3)));
    const cases: Array<[string, Buffer, RegExp]> = [
      ['short.bin', bytes.subarray(0, bytes.length - 1), /short\.bin is damaged: .*truncated/],
      ['long.bin', Buffer.concat([bytes, Buffer.alloc(3)]), /long\.bin is damaged/],
      ['tiny.bin', bytes.subarray(0, 10), /tiny\.bin is damaged: .*shorter than its header/],
      ['other.bin', Buffer.concat([Buffer.from('GZIP'), bytes.subarray(4)]), /other\.bin is damaged: not a bigram posting file/],
    ];
    for (const [name, content, message] of cases) {
      writeFileSync(join(dir, name), content);
      expect(() => BigramFile.open(join(dir, name))).toThrow(message);
    }
    expect(() => BigramFile.open(join(dir, 'missing.bin'))).toThrow(/missing\.bin cannot be opened \(ENOENT\)/);
  });
});

describe('document text file', () => {
  const texts = [
    '青川市地铁五号线今天开通，市民说：“方便多了！”',
    '',
    'ＡＢＣ full-width letters and Capitals',
    '简单的正文',
    'x'.repeat(5000) + '。',
  ];
  const ntexts = texts.map(normalize);

  test('every body and its display form read back from the file, in any order, through the shared reader', () => {
    const a = join(dir, 'shard-0.text.bin');
    const b = join(dir, 'shard-1.text.bin');
    writeFileSync(a, encodeTextFile(texts.slice(0, 2), ntexts.slice(0, 2)));
    writeFileSync(b, encodeTextFile(texts.slice(2), ntexts.slice(2)));
    // A cache smaller than the longest body: that one is read from the file every time.
    const all = new FileDocTexts([TextFile.open(a, 2), TextFile.open(b, 3)], 200);
    expect(all.size).toBe(5);
    for (const d of [4, 0, 3, 1, 2, 4, 2, 0]) {
      expect(all.text(d)).toBe(ntexts[d]);
      expect(String(all.display(d))).toBe(texts[d]);
      expect(all.length(d)).toBe(ntexts[d].length);
    }
    all.close();
  });

  test('display text that does not align with its normalized form is stored whole', () => {
    const path = join(dir, 'whole.text.bin');
    writeFileSync(path, encodeTextFile(['display 全文'], ['something else entirely']));
    const file = TextFile.open(path, 1);
    expect(file.read(0)).toEqual({ ntext: 'something else entirely', display: 'display 全文' });
    file.close();
  });

  test('a damaged text file, or one with another document count, is refused naming the file', () => {
    const path = join(dir, 'good.text.bin');
    writeFileSync(path, encodeTextFile(texts, ntexts));
    expect(() => TextFile.open(path, 4)).toThrow(/good\.text\.bin is damaged: it holds 5 documents, the manifest says 4/);
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'cut.text.bin'), bytes.subarray(0, bytes.length - 2));
    expect(() => TextFile.open(join(dir, 'cut.text.bin'), 5)).toThrow(/cut\.text\.bin is damaged: .*truncated/);
    writeFileSync(join(dir, 'zero.text.bin'), Buffer.alloc(bytes.length));
    expect(() => TextFile.open(join(dir, 'zero.text.bin'), 5)).toThrow(/zero\.text\.bin is damaged: not a document text file/);
  });
});

describe('an engine reading postings and bodies from files', () => {
  test('answers exactly as an engine holding the same documents in memory, with a text cache too small to hold them', async () => {
    const { SearchEngine } = await import('../src/engine');
    const { buildIndex } = await import('../src/indexer/build');
    const out = join(dir, 'index');
    // The bundled sample corpus (original articles written for this project).
    await buildIndex({ corpus: join(__dirname, '..', 'corpus'), out, workers: 0 });
    const opened = await SearchEngine.open(out, { resultCache: 0, textCache: 2000 });
    const docs = [...opened.documents()];
    expect(docs.length).toBeGreaterThan(5);
    const memory = SearchEngine.fromDocuments(docs, { resultCache: 0 });
    const queries = new Set(['司马青禾', '青川 OR 澄江', '"地铁五号线"', '疫情 -社区', 'title:咖啡', 'covid', '中国经济发展问题']);
    for (const p of docs) {
      const t = p.title.replace(/\s+/g, '');
      for (let i = 0; i + 2 <= t.length; i += 3) for (const n of [2, 3, 5]) if (i + n <= t.length) queries.add(t.slice(i, i + n));
    }
    let found = 0;
    for (const q of queries) {
      const a = opened.search(q, { limit: 20 });
      expect({ ...a, tookMs: 0 }).toEqual({ ...memory.search(q, { limit: 20 }), tookMs: 0 });
      if (a.total > 0) found++;
    }
    expect(found).toBeGreaterThan(30);
    expect(opened.related(docs[0].id)).toEqual(memory.related(docs[0].id));
    expect(opened.get(docs[3].id)).toEqual(memory.get(docs[3].id));
  }, 60_000);
});
