import { BigramPostings, docIdArray, findKey, type BigramList, type BigramLookup, type DocIds } from '../format/bigram-postings';
import { LruCache } from '../lru';
import { PositionalFile } from './positional-file';

/**
 * The bigram posting store as a file read on demand. Layout (little-endian):
 *
 *   header   32 bytes: magic "ZHBP", layout version, key count K, posting count P,
 *            document-number width W (2 or 4), 12 bytes reserved (zero)
 *   keys     K × u32, sorted: the term dictionary
 *   offsets  (K + 1) × u32: the postings of keys[i] are postings [offsets[i], offsets[i + 1])
 *   lists    P × (W + 1) bytes: list i starts at byte offsets[i] × (W + 1) of this section
 *            and holds its document numbers (n × W bytes) followed by its frequencies (n bytes)
 *
 * A reader keeps the keys and offsets in memory and reads one list with one positional
 * read: a list's documents and frequencies sit side by side, so a rare bigram costs one
 * small read, and the rest of the file stays in the page cache, not the heap.
 */

const MAGIC = 'ZHBP';
const LAYOUT = 1;
const HEADER = 32;
/** Decoded lists kept for repeated lookups (one query looks a bigram up several times). */
const LIST_CACHE = 512;

/** Encode a posting store as a {@link BigramFile} file. */
export function encodeBigramFile(store: BigramPostings): Buffer {
  const { keys, offsets, docs, tfs } = store;
  const nk = keys.length;
  const np = docs.length;
  const width = docs.BYTES_PER_ELEMENT;
  const listsAt = HEADER + nk * 4 + (nk + 1) * 4;
  const out = Buffer.alloc(listsAt + np * (width + 1));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(LAYOUT, 4);
  out.writeUInt32LE(nk, 8);
  out.writeUInt32LE(np, 12);
  out.writeUInt32LE(width, 16);
  Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength).copy(out, HEADER);
  Buffer.from(offsets.buffer, offsets.byteOffset, offsets.byteLength).copy(out, HEADER + nk * 4);
  for (let i = 0; i < nk; i++) {
    const a = offsets[i];
    const b = offsets[i + 1];
    const at = listsAt + a * (width + 1);
    const d = docs.subarray(a, b);
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, at);
    Buffer.from(tfs.buffer, tfs.byteOffset + a, b - a).copy(out, at + d.byteLength);
  }
  return out;
}

/** A bigram posting store in a file: the dictionary in memory, the lists read on demand. */
export class BigramFile implements BigramLookup {
  private readonly lists = new LruCache<number, BigramList>(LIST_CACHE);

  private constructor(
    private readonly file: PositionalFile,
    readonly keys: Uint32Array,
    readonly offsets: Uint32Array,
    private readonly width: 2 | 4,
    private readonly listsAt: number,
  ) {}

  /** Open and check a bigram file (header, sizes, dictionary order); errors name the file. */
  static open(path: string): BigramFile {
    const file = PositionalFile.open(path);
    try {
      const bad = (why: string): Error => new Error(`${path} is damaged: ${why}; rebuild the index`);
      if (file.size < HEADER) throw bad(`${file.size} bytes, shorter than its header`);
      const head = file.read(0, HEADER);
      if (head.toString('latin1', 0, 4) !== MAGIC) throw bad('not a bigram posting file');
      if (head.readUInt32LE(4) !== LAYOUT) throw bad(`layout version ${head.readUInt32LE(4)}, expected ${LAYOUT}`);
      const nk = head.readUInt32LE(8);
      const np = head.readUInt32LE(12);
      const width = head.readUInt32LE(16);
      if (width !== 2 && width !== 4) throw bad(`document number width ${width}`);
      const listsAt = HEADER + nk * 4 + (nk + 1) * 4;
      const need = listsAt + np * (width + 1);
      if (file.size !== need) throw bad(`${file.size} bytes, its header describes ${need} (truncated?)`);
      const dict = file.read(HEADER, listsAt - HEADER);
      const keys = new Uint32Array(dict.buffer, dict.byteOffset, nk);
      const offsets = new Uint32Array(dict.buffer, dict.byteOffset + nk * 4, nk + 1);
      if (offsets[0] !== 0 || offsets[nk] !== np) throw bad('posting offsets do not span the postings');
      for (let i = 0; i < nk; i++) {
        if (offsets[i + 1] < offsets[i] || (i > 0 && keys[i] <= keys[i - 1])) throw bad(`dictionary out of order at entry ${i}`);
      }
      return new BigramFile(file, keys, offsets, width, listsAt);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** Number of postings in the store. */
  get size(): number {
    return this.offsets[this.keys.length];
  }

  lookup(key: number): BigramList | null {
    const i = findKey(this.keys, key);
    if (i < 0) return null;
    let list = this.lists.get(i);
    if (list === undefined) {
      list = this.readList(i);
      this.lists.set(i, list);
    }
    return list;
  }

  count(key: number): number {
    const i = findKey(this.keys, key);
    return i < 0 ? 0 : this.offsets[i + 1] - this.offsets[i];
  }

  /** The whole store in memory (an incremental build splits it by shard). */
  readAll(): BigramPostings {
    const nk = this.keys.length;
    const np = this.size;
    const w = this.width;
    const all = this.file.read(this.listsAt, np * (w + 1));
    const docs = docIdArray(np, w === 2 ? 0xffff : 0x10000);
    const tfs = new Uint8Array(np);
    for (let i = 0; i < nk; i++) {
      const a = this.offsets[i];
      const n = this.offsets[i + 1] - a;
      const at = a * (w + 1);
      const bytes = new Uint8Array(docs.buffer, a * w, n * w);
      bytes.set(all.subarray(at, at + n * w));
      tfs.set(all.subarray(at + n * w, at + n * (w + 1)), a);
    }
    return new BigramPostings(this.keys.slice(), this.offsets.slice(), docs, tfs);
  }

  /** Close the file now (otherwise it closes once the store is collected). */
  close(): void {
    this.file.close();
  }

  private readList(i: number): BigramList {
    const a = this.offsets[i];
    const n = this.offsets[i + 1] - a;
    const w = this.width;
    const buf = this.file.read(this.listsAt + a * (w + 1), n * (w + 1));
    const docs: DocIds = w === 2 ? new Uint16Array(buf.buffer, buf.byteOffset, n) : new Uint32Array(buf.buffer, buf.byteOffset, n);
    return { docs, tfs: new Uint8Array(buf.buffer, buf.byteOffset + n * w, n) };
  }
}
