import { docIdArray, type DocIds } from '../format/bigram-postings';
import { WordPostings, type WordLookup } from '../format/word-postings';
import { LruCache } from '../lru';
import { PositionalFile } from './positional-file';

/**
 * The word posting store as a file read on demand. Layout (little-endian):
 *
 *   header      32 bytes: magic "ZHWP", layout version, term count K, posting count P,
 *               term bytes B, document-number width W (2 or 4), 8 bytes reserved (zero)
 *   term ends   (K + 1) × u32: term i is bytes [ends[i], ends[i + 1]) of the terms section
 *   offsets     (K + 1) × u32: the postings of term i are postings [offsets[i], offsets[i + 1])
 *   terms       B bytes: the terms in UTF-8, sorted by their bytes, one after the other
 *   lists       P × W bytes: document numbers, list i from posting offsets[i]
 *
 * A reader keeps the two tables and the terms in memory (one read, no per-term objects)
 * and finds a term by binary search on its UTF-8 bytes; a list costs one positional read.
 */

const MAGIC = 'ZHWP';
const LAYOUT = 1;
const HEADER = 32;
/** Decoded lists kept for repeated lookups (one query looks a term up several times). */
const LIST_CACHE = 512;

/** Encode a word posting store as a {@link WordFile} file. */
export function encodeWordFile(store: WordPostings): Buffer {
  const { keys, offsets, docs } = store;
  const nk = keys.length;
  const np = docs.length;
  const width = docs.BYTES_PER_ELEMENT;
  const terms = keys.map((k) => Buffer.from(k, 'utf8'));
  const ends = new Uint32Array(nk + 1);
  for (let i = 0; i < nk; i++) ends[i + 1] = ends[i] + terms[i].length;
  const termsAt = HEADER + (nk + 1) * 8;
  const listsAt = termsAt + ends[nk];
  const out = Buffer.alloc(listsAt + np * width);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(LAYOUT, 4);
  out.writeUInt32LE(nk, 8);
  out.writeUInt32LE(np, 12);
  out.writeUInt32LE(ends[nk], 16);
  out.writeUInt32LE(width, 20);
  Buffer.from(ends.buffer, ends.byteOffset, ends.byteLength).copy(out, HEADER);
  Buffer.from(offsets.buffer, offsets.byteOffset, offsets.byteLength).copy(out, HEADER + (nk + 1) * 4);
  for (let i = 0; i < nk; i++) terms[i].copy(out, termsAt + ends[i]);
  Buffer.from(docs.buffer, docs.byteOffset, docs.byteLength).copy(out, listsAt);
  return out;
}

/** A word posting store in a file: the dictionary in memory, the lists read on demand. */
export class WordFile implements WordLookup {
  private readonly lists = new LruCache<string, DocIds>(LIST_CACHE);
  private readonly empty: DocIds;

  private constructor(
    private readonly file: PositionalFile,
    private readonly ends: Uint32Array,
    private readonly offsets: Uint32Array,
    private readonly terms: Buffer,
    private readonly width: 2 | 4,
    private readonly listsAt: number,
  ) {
    this.empty = width === 2 ? new Uint16Array(0) : new Uint32Array(0);
  }

  /** Open and check a word posting file (header, sizes, tables); errors name the file. */
  static open(path: string): WordFile {
    const file = PositionalFile.open(path);
    try {
      const bad = (why: string): Error => new Error(`${path} is damaged: ${why}; rebuild the index`);
      if (file.size < HEADER) throw bad(`${file.size} bytes, shorter than its header`);
      const head = file.read(0, HEADER);
      if (head.toString('latin1', 0, 4) !== MAGIC) throw bad('not a word posting file');
      if (head.readUInt32LE(4) !== LAYOUT) throw bad(`layout version ${head.readUInt32LE(4)}, expected ${LAYOUT}`);
      const nk = head.readUInt32LE(8);
      const np = head.readUInt32LE(12);
      const nb = head.readUInt32LE(16);
      const width = head.readUInt32LE(20);
      if (width !== 2 && width !== 4) throw bad(`document number width ${width}`);
      const termsAt = HEADER + (nk + 1) * 8;
      const listsAt = termsAt + nb;
      const need = listsAt + np * width;
      if (file.size !== need) throw bad(`${file.size} bytes, its header describes ${need} (truncated?)`);
      const dict = file.read(HEADER, listsAt - HEADER);
      const ends = new Uint32Array(dict.buffer, dict.byteOffset, nk + 1);
      const offsets = new Uint32Array(dict.buffer, dict.byteOffset + (nk + 1) * 4, nk + 1);
      if (ends[0] !== 0 || ends[nk] !== nb) throw bad('term ends do not span the terms');
      if (offsets[0] !== 0 || offsets[nk] !== np) throw bad('posting offsets do not span the postings');
      // Term order is not re-checked here (a byte comparison per term): the manifest
      // checksum, checked before a file is opened, covers the bytes the build sorted.
      for (let i = 0; i < nk; i++) {
        if (ends[i + 1] < ends[i] || offsets[i + 1] < offsets[i]) throw bad(`dictionary out of order at entry ${i}`);
      }
      return new WordFile(file, ends, offsets, dict.subarray(termsAt - HEADER), width, listsAt);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** Distinct terms and postings in the store. */
  get size(): { terms: number; postings: number } {
    const nk = this.ends.length - 1;
    return { terms: nk, postings: this.offsets[nk] };
  }

  lookup(term: string): DocIds {
    let list = this.lists.get(term);
    if (list !== undefined) return list;
    const i = this.find(term);
    if (i < 0) return this.empty;
    list = this.readList(i);
    this.lists.set(term, list);
    return list;
  }

  /** The whole store in memory (an incremental build splits it by shard). */
  readAll(): WordPostings {
    const nk = this.ends.length - 1;
    const keys = new Array<string>(nk);
    for (let i = 0; i < nk; i++) keys[i] = this.terms.toString('utf8', this.ends[i], this.ends[i + 1]);
    const np = this.offsets[nk];
    const w = this.width;
    const docs = docIdArray(np, w === 2 ? 0xffff : 0x10000);
    this.file.readInto(Buffer.from(docs.buffer, docs.byteOffset, docs.byteLength), this.listsAt, np * w);
    return new WordPostings(keys, this.offsets.slice(), docs);
  }

  /** Close the file now (otherwise it closes once the store is collected). */
  close(): void {
    this.file.close();
  }

  /** Index of `term` in the dictionary, or -1: binary search on UTF-8 bytes. */
  private find(term: string): number {
    const q = Buffer.from(term, 'utf8');
    const { ends, terms } = this;
    let lo = 0;
    let hi = ends.length - 2;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = q.compare(terms, ends[mid], ends[mid + 1]);
      if (c > 0) lo = mid + 1;
      else if (c < 0) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  private readList(i: number): DocIds {
    const a = this.offsets[i];
    const n = this.offsets[i + 1] - a;
    const w = this.width;
    const buf = this.file.read(this.listsAt + a * w, n * w);
    return w === 2 ? new Uint16Array(buf.buffer, buf.byteOffset, n) : new Uint32Array(buf.buffer, buf.byteOffset, n);
  }
}
