import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Gzip for answers that are compressed once and sent many times with a fresh prefix.
 *
 * A cached search answer is the same bytes every time except its first field, `tookMs`.
 * Its body is deflated once; each response is then a gzip stream whose deflate data is a
 * stored (uncompressed) block holding the fresh prefix, followed by the cached compressed
 * blocks. That is valid deflate: a stored block ends on a byte boundary, and the cached
 * blocks only refer back to their own bytes, which keep their relative positions.
 */
export interface DeflatedBody {
  /** The body, uncompressed: the checksum of each response runs over it. */
  readonly body: Buffer;
  /** The body as one complete raw deflate stream (its last block is final). */
  readonly deflated: Buffer;
}

/** Compress a body for {@link gzipWithPrefix} (zlib level 1: as small as level 6 on JSON answers, measured). */
export function deflateBody(body: Buffer): DeflatedBody {
  return { body, deflated: deflateRawSync(body, { level: 1 }) };
}

// ID1 ID2, CM = deflate, no flags, MTIME 0, XFL 0, OS unknown (RFC 1952, 2.3).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const MAX_STORED = 0xffff;

/** A gzip stream (RFC 1952) that decompresses to `prefix` followed by `d.body`. */
export function gzipWithPrefix(prefix: Buffer, d: DeflatedBody): Buffer {
  if (prefix.length > MAX_STORED) throw new RangeError(`gzip prefix of ${prefix.length} bytes: at most ${MAX_STORED}`);
  const stored = Buffer.allocUnsafe(5);
  stored[0] = 0; // BFINAL 0, BTYPE 00 (stored); the rest of the byte is padding
  stored.writeUInt16LE(prefix.length, 1);
  stored.writeUInt16LE(~prefix.length & 0xffff, 3);
  const trailer = Buffer.allocUnsafe(8);
  // zlib's crc32 answers 0, not the running value, for an empty buffer without memory behind it.
  const crc = d.body.length > 0 ? crc32(d.body, crc32(prefix)) : crc32(prefix);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE((prefix.length + d.body.length) % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, stored, prefix, d.deflated, trailer]);
}
