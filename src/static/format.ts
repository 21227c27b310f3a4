import { fnv1a } from '../hash';

/**
 * The byte formats of a static build, shared by the builder (Node) and mirrored by the
 * browser module (assets/zhsearch.js). Every file that is fetched on demand is gzip bytes
 * served as `.bin`, so no static host recompresses or mislabels it and the browser
 * inflates it with `DecompressionStream`.
 */

/** Format version written into meta.json; the browser module refuses another one. */
export const STATIC_FORMAT = 2;

/** Shard of an index term: FNV-1a over its UTF-16 code units, masked to a power of two. */
export function shardOf(term: string, shards: number): number {
  return fnv1a(term) & (shards - 1);
}

/** A growable byte buffer with unsigned LEB128 varints. */
export class ByteWriter {
  private buf = new Uint8Array(1024);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  varint(v: number): void {
    this.room(5);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** A length-prefixed UTF-8 string. */
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.varint(b.length);
    this.bytes(b);
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Signed → unsigned for varints (small magnitudes stay small). */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/**
 * Value stored with each posting: body occurrences, whether the term is in the document's
 * record (title or head of the text), and title occurrences (capped at 3), packed so a
 * common posting takes one byte.
 */
export function postingValue(bodyTf: number, titleTf: number, inRecord: boolean): number {
  return (Math.min(bodyTf, 0xfffff) << 3) | (inRecord ? 4 : 0) | Math.min(titleTf, 3);
}
