// Over 300 lines: the file layout's encoder, splicer and reader share its constants and must change together.
import { BigramPostings, docIdArray, findKey, unionOfSorted, type BigramList, type BigramLookup, type DocIds } from '../format/bigram-postings';
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
  writeHeader(out, nk, np, width);
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

/**
 * One run of documents of a store being written by {@link encodeBigramPieces}: either the
 * documents `from` ≤ d < `to` of an existing file, or a whole store in memory; their
 * numbers are moved up by `shift`.
 */
export type BigramPiece =
  | { kind: 'file'; file: BigramFile; from: number; to: number; shift: number }
  | { kind: 'store'; store: BigramPostings; shift: number };

/**
 * Encode, as {@link encodeBigramFile} does, the store that merges `pieces` (in ascending
 * document order once shifted) into `totalDocs` documents. File pieces are copied list by
 * list from the file's bytes, so an update that keeps most documents of an index never
 * builds the kept part in memory as a store; the bytes are those of encoding the merge.
 */
export function encodeBigramPieces(pieces: readonly BigramPiece[], totalDocs: number): Buffer {
  const width = docIdArray(0, totalDocs - 1).BYTES_PER_ELEMENT;
  const files = [...new Set(pieces.flatMap((p) => (p.kind === 'file' ? [p.file] : [])))];
  const lists = files.map((f) => f.readLists());
  const keySets = [...files.map((f) => f.keys), ...pieces.flatMap((p) => (p.kind === 'store' ? [p.store.keys] : []))];
  const keys = unionOfSorted(keySets);
  let bound = 0;
  for (const f of files) bound += f.size;
  for (const p of pieces) if (p.kind === 'store') bound += p.store.size;
  const body = Buffer.allocUnsafe(bound * (width + 1));
  const outKeys = new Uint32Array(keys.length);
  const outOffsets = new Uint32Array(keys.length + 1);
  // Per file: the dictionary entry of the current key (-1: none), where its list starts
  // (bytes into the lists section) and how long it is, and how far this key's runs got.
  const fileCursor = new Int32Array(files.length);
  const fileEntry = new Int32Array(files.length);
  const listAt = new Float64Array(files.length);
  const listLen = new Uint32Array(files.length);
  const scanAt = new Uint32Array(files.length);
  const storeCursor = new Int32Array(pieces.length);
  // Per piece: whether it has postings of the current key, and which: [start, end) of its list or store.
  const has = new Uint8Array(pieces.length);
  const start = new Uint32Array(pieces.length);
  const end = new Uint32Array(pieces.length);
  const fileOf = pieces.map((p) => (p.kind === 'file' ? files.indexOf(p.file) : -1));
  let nk = 0;
  let np = 0;
  for (let u = 0; u < keys.length; u++) {
    const key = keys[u];
    for (let f = 0; f < files.length; f++) {
      const fk = files[f].keys;
      let c = fileCursor[f];
      while (c < fk.length && fk[c] < key) c++;
      fileCursor[f] = c;
      if (c < fk.length && fk[c] === key) {
        const off = files[f].offsets;
        fileEntry[f] = c;
        listAt[f] = off[c] * (files[f].width + 1);
        listLen[f] = off[c + 1] - off[c];
        scanAt[f] = 0;
      } else fileEntry[f] = -1;
    }
    let n = 0;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      has[i] = 0;
      if (p.kind === 'store') {
        const sk = p.store.keys;
        let c = storeCursor[i];
        while (c < sk.length && sk[c] < key) c++;
        storeCursor[i] = c;
        if (c < sk.length && sk[c] === key) {
          has[i] = 1;
          start[i] = p.store.offsets[c];
          end[i] = p.store.offsets[c + 1];
          n += end[i] - start[i];
        }
        continue;
      }
      // A file's pieces come in document order: each run starts where the previous one ended.
      const f = fileOf[i];
      if (fileEntry[f] < 0) continue;
      const w = files[f].width;
      const a = lowerBound(lists[f], listAt[f], w, scanAt[f], listLen[f], p.from);
      const x = lowerBound(lists[f], listAt[f], w, a, listLen[f], p.to);
      scanAt[f] = x;
      if (x > a) {
        has[i] = 1;
        start[i] = a;
        end[i] = x;
        n += x - a;
      }
    }
    if (n === 0) continue; // the key's documents were all left out
    outKeys[nk] = key;
    outOffsets[nk] = np;
    let at = np * (width + 1);
    let tfAt = at + n * width;
    for (let i = 0; i < pieces.length; i++) {
      if (!has[i]) continue;
      const p = pieces[i];
      const a = start[i];
      const b = end[i];
      if (p.kind === 'store') {
        const { docs, tfs } = p.store;
        const shift = p.shift;
        for (let x = a; x < b; x++, at += width) writeDoc(body, at, width, docs[x] + shift);
        for (let x = a; x < b; x++) body[tfAt++] = tfs[x];
        continue;
      }
      const f = fileOf[i];
      const list = lists[f];
      const w = files[f].width;
      const docsAt = listAt[f] + a * w;
      if (p.shift === 0 && w === width) copyBytes(list, docsAt, body, at, (b - a) * w);
      else if (w === 2 && width === 2 && b - a > 64) shiftWide16(list, docsAt, body, at, b - a, p.shift);
      else for (let x = 0; x < b - a; x++) writeDoc(body, at + x * width, width, readDoc(list, docsAt + x * w, w) + p.shift);
      at += (b - a) * width;
      copyBytes(list, listAt[f] + listLen[f] * w + a, body, tfAt, b - a);
      tfAt += b - a;
    }
    np += n;
    nk++;
  }
  outOffsets[nk] = np;
  const listsAt = HEADER + nk * 4 + (nk + 1) * 4;
  const out = Buffer.alloc(listsAt + np * (width + 1));
  writeHeader(out, nk, np, width);
  Buffer.from(outKeys.buffer, 0, nk * 4).copy(out, HEADER);
  Buffer.from(outOffsets.buffer, 0, (nk + 1) * 4).copy(out, HEADER + nk * 4);
  body.copy(out, listsAt, 0, np * (width + 1));
  return out;
}

/** The document number of `w` bytes at byte `at`. */
function readDoc(bytes: Buffer, at: number, w: number): number {
  return w === 2 ? bytes[at] | (bytes[at + 1] << 8) : (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000;
}

/** The first of postings [lo, hi) of the list at byte `listAt` whose document is `doc` or later (hi when none). */
function lowerBound(bytes: Buffer, listAt: number, w: number, lo: number, hi: number, doc: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readDoc(bytes, listAt + mid * w, w) < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Scratch space of {@link shiftWide16}, grown as needed. */
let scratch = new Uint16Array(1024);

/**
 * Copy `n` 16-bit document numbers moved by `shift` through an aligned scratch array
 * (a list's bytes start at any offset): two native copies and one typed-array loop.
 */
function shiftWide16(from: Buffer, fromAt: number, to: Buffer, toAt: number, n: number, shift: number): void {
  if (scratch.length < n) scratch = new Uint16Array(Math.max(n, scratch.length * 2));
  const bytes = Buffer.from(scratch.buffer, 0, n * 2);
  from.copy(bytes, 0, fromAt, fromAt + n * 2);
  for (let x = 0; x < n; x++) scratch[x] += shift;
  bytes.copy(to, toAt, 0, n * 2);
}

/** Copy `n` bytes; short runs (most posting lists) byte by byte, which beats a native call. */
function copyBytes(from: Buffer, fromAt: number, to: Buffer, toAt: number, n: number): void {
  if (n > 64) from.copy(to, toAt, fromAt, fromAt + n);
  else for (let x = 0; x < n; x++) to[toAt + x] = from[fromAt + x];
}

function writeDoc(out: Buffer, at: number, width: number, doc: number): void {
  out[at] = doc & 0xff;
  out[at + 1] = (doc >>> 8) & 0xff;
  if (width === 4) {
    out[at + 2] = (doc >>> 16) & 0xff;
    out[at + 3] = doc >>> 24;
  }
}

function writeHeader(out: Buffer, nk: number, np: number, width: number): void {
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(LAYOUT, 4);
  out.writeUInt32LE(nk, 8);
  out.writeUInt32LE(np, 12);
  out.writeUInt32LE(width, 16);
}

/** A bigram posting store in a file: the dictionary in memory, the lists read on demand. */
export class BigramFile implements BigramLookup {
  private readonly lists = new LruCache<number, BigramList>(LIST_CACHE);

  private constructor(
    private readonly file: PositionalFile,
    readonly keys: Uint32Array,
    readonly offsets: Uint32Array,
    /** Bytes per document number. */
    readonly width: 2 | 4,
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

  /** The whole store in memory. */
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

  /** The lists section, whole (for {@link encodeBigramPieces}). */
  readLists(): Buffer {
    return this.file.read(this.listsAt, this.size * (this.width + 1));
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
