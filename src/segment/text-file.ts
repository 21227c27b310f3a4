import { CompactText, diffUnits } from '../format/doctext';
import { PositionalFile } from './positional-file';

/**
 * One shard's document bodies as a file read on demand. Layout (little-endian):
 *
 *   header   32 bytes: magic "ZHTX", layout version, document count N, 20 bytes reserved (zero)
 *   lengths  N × u32: each normalized body's length in UTF-16 code units (BM25 reads these
 *            for every candidate, so they stay in memory)
 *   offsets  (N + 1) × u32: document i's record is bytes [offsets[i], offsets[i + 1]) of
 *            the records section
 *   records  per document: u32 M, the normalized body (UTF-16LE), then how the display
 *            body differs: M × u32 ascending offsets and M × u16 display code units there;
 *            or, when M is 0xFFFFFFFF (the two do not align), u32 L and the display body
 *            itself (L code units, UTF-16LE)
 *
 * UTF-16LE, as JavaScript holds strings: decoding is a copy, and mostly-Chinese text is a
 * third smaller than in UTF-8.
 */

const MAGIC = 'ZHTX';
const LAYOUT = 1;
const HEADER = 32;
const WHOLE = 0xffffffff;

/** Reused for bodies decoded at once into strings (reads are synchronous, so one is enough). */
let scratch = Buffer.allocUnsafeSlow(1 << 16);

function scratchOf(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafeSlow(Math.max(bytes, scratch.length * 2));
  return scratch;
}

/** A document body as stored: the normalized text queries search, and the display text. */
export interface StoredText {
  ntext: string;
  display: CompactText | string;
}

/** Encode one shard's bodies (display texts and their normalized forms, in local order). */
export function encodeTextFile(texts: readonly string[], ntexts: readonly string[]): Buffer {
  const n = texts.length;
  const records: Buffer[] = [];
  const lengths = Buffer.alloc(n * 4);
  const offsets = Buffer.alloc((n + 1) * 4);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const ntext = ntexts[i];
    const d = diffUnits(texts[i], ntext);
    let rec: Buffer;
    if (d) {
      const m = d.at.length;
      rec = Buffer.alloc(4 + ntext.length * 2 + m * 6);
      rec.writeUInt32LE(m, 0);
      rec.write(ntext, 4, 'utf16le');
      let p = 4 + ntext.length * 2;
      for (const x of d.at) p = rec.writeUInt32LE(x, p);
      rec.write(d.units, p, 'utf16le');
    } else {
      rec = Buffer.alloc(8 + (ntext.length + texts[i].length) * 2);
      rec.writeUInt32LE(WHOLE, 0);
      rec.write(ntext, 4, 'utf16le');
      const p = rec.writeUInt32LE(texts[i].length, 4 + ntext.length * 2);
      rec.write(texts[i], p, 'utf16le');
    }
    lengths.writeUInt32LE(ntext.length, i * 4);
    records.push(rec);
    at += rec.length;
    if (at > 0xffffffff) throw new Error('a shard holds more than 4 GB of text: build with more shards');
    offsets.writeUInt32LE(at, (i + 1) * 4);
  }
  const header = Buffer.alloc(HEADER);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(LAYOUT, 4);
  header.writeUInt32LE(n, 8);
  return Buffer.concat([header, lengths, offsets, ...records]);
}

/** One shard's bodies in a file: the lengths and offsets in memory, each body read on demand. */
export class TextFile {
  private constructor(
    private readonly file: PositionalFile,
    /** Normalized body lengths, by local document number. */
    readonly lengths: Uint32Array,
    private readonly offsets: Uint32Array,
    private readonly recordsAt: number,
  ) {}

  /** Open and check a text file of `count` documents; errors name the file. */
  static open(path: string, count: number): TextFile {
    const file = PositionalFile.open(path);
    try {
      const bad = (why: string): Error => new Error(`${path} is damaged: ${why}; rebuild the index`);
      if (file.size < HEADER) throw bad(`${file.size} bytes, shorter than its header`);
      const head = file.read(0, HEADER);
      if (head.toString('latin1', 0, 4) !== MAGIC) throw bad('not a document text file');
      if (head.readUInt32LE(4) !== LAYOUT) throw bad(`layout version ${head.readUInt32LE(4)}, expected ${LAYOUT}`);
      const n = head.readUInt32LE(8);
      if (n !== count) throw bad(`it holds ${n} documents, the manifest says ${count}`);
      const recordsAt = HEADER + n * 4 + (n + 1) * 4;
      if (file.size < recordsAt) throw bad(`${file.size} bytes, shorter than its tables (truncated?)`);
      const tables = file.read(HEADER, recordsAt - HEADER);
      const lengths = new Uint32Array(tables.buffer, tables.byteOffset, n);
      const offsets = new Uint32Array(tables.buffer, tables.byteOffset + n * 4, n + 1);
      for (let i = 0; i < n; i++) {
        if (offsets[i + 1] < offsets[i] + 4 + lengths[i] * 2) throw bad(`document ${i} does not fit its record`);
      }
      if (offsets[0] !== 0 || recordsAt + offsets[n] !== file.size)
        throw bad(`${file.size} bytes, its tables describe ${recordsAt + offsets[n]} (truncated?)`);
      return new TextFile(file, lengths, offsets, recordsAt);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** Document `i`'s normalized body (local number), read from the file without its display form. */
  readText(i: number): string {
    const bytes = this.lengths[i] * 2;
    const buf = this.file.readInto(scratchOf(bytes), this.recordsAt + this.offsets[i] + 4, bytes);
    return buf.toString('utf16le', 0, bytes);
  }

  /** Document `i`'s bodies (local number), read from the file with one read. */
  read(i: number): StoredText {
    const a = this.offsets[i];
    const rec = this.file.read(this.recordsAt + a, this.offsets[i + 1] - a);
    const end = 4 + this.lengths[i] * 2;
    const ntext = rec.toString('utf16le', 4, end);
    return { ntext, display: this.decodeDisplay(i, ntext, rec.readUInt32LE(0), rec.subarray(end)) };
  }

  /**
   * Document `i`'s display body, given its normalized body `ntext` (as {@link readText}
   * returns it): only the differences are read, not the body again.
   */
  readDisplay(i: number, ntext: string): CompactText | string {
    const start = this.recordsAt + this.offsets[i];
    const tail = start + 4 + this.lengths[i] * 2;
    const rest = this.recordsAt + this.offsets[i + 1] - tail;
    const m = this.file.readInto(scratchOf(4), start, 4).readUInt32LE(0);
    return this.decodeDisplay(i, ntext, m, this.file.read(tail, rest));
  }

  /** The display body from the part of a record after the normalized body (`diff`), M being `m`. */
  private decodeDisplay(i: number, ntext: string, m: number, diff: Buffer): CompactText | string {
    const where = `${this.file.path}: document ${i}`;
    const rest = diff.length;
    if (m === WHOLE) {
      const l = rest >= 4 ? diff.readUInt32LE(0) : -1;
      if (4 + l * 2 !== rest) throw new Error(`${where} is damaged; rebuild the index`);
      return diff.toString('utf16le', 4, rest);
    }
    if (m * 6 !== rest) throw new Error(`${where} is damaged; rebuild the index`);
    // Copied as bytes: within a whole record the offsets need not be 4-byte aligned.
    const at = new Uint32Array(m);
    new Uint8Array(at.buffer).set(diff.subarray(0, m * 4));
    try {
      return CompactText.fromParts(ntext, at, diff.toString('utf16le', m * 4, m * 6));
    } catch (err) {
      throw new Error(`${where} is damaged (${(err as Error).message}); rebuild the index`);
    }
  }

  /** Close the file now (otherwise it closes once the reader is collected). */
  close(): void {
    this.file.close();
  }
}
