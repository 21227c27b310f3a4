import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Gzip for answers that are compressed once and sent many times with a fresh ending.
 *
 * A cached search answer is the same bytes every time except its last field, `tookMs`.
 * Its body is deflated once, ending in a sync flush (byte-aligned, not final); each
 * response is then a gzip stream of those cached blocks followed by one final stored
 * (uncompressed) block holding the fresh suffix. The checksum continues from the body's,
 * kept with it, over the few bytes of the suffix: the body is never read again.
 */
export interface DeflatedBody {
  /** The gzip header and the body as raw deflate blocks, none final, ending on a byte boundary. */
  readonly head: Buffer;
  /** CRC-32 of the uncompressed body. */
  readonly crc: number;
  /** Length of the uncompressed body. */
  readonly length: number;
}

// ID1 ID2, CM = deflate, no flags, MTIME 0, XFL 0, OS unknown (RFC 1952, 2.3).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const MAX_STORED = 0xffff;

/** Compress a body for {@link gzipWithSuffix}; level 1, as JSON answers gain little from harder compression. */
export function deflateBody(body: Buffer): DeflatedBody {
  const blocks = deflateRawSync(body, { level: 1, finishFlush: constants.Z_SYNC_FLUSH });
  return { head: Buffer.concat([GZIP_HEADER, blocks]), crc: crc32(body), length: body.length };
}

/**
 * A gzip stream (RFC 1952) that decompresses to the body of `d` followed by `suffix`, as
 * its two parts: the cached head, shared by every response, and this response's tail.
 * They are sent as they are (see search-route.ts), not copied into one buffer.
 */
export function gzipWithSuffix(d: DeflatedBody, suffix: Buffer): readonly [Buffer, Buffer] {
  const n = suffix.length;
  if (n > MAX_STORED) throw new RangeError(`gzip suffix of ${n} bytes: at most ${MAX_STORED}`);
  // One final stored block holding the suffix (RFC 1951, 3.2.4), then CRC-32 and length.
  const tail = Buffer.allocUnsafe(5 + n + 8);
  tail[0] = 1; // BFINAL 1, BTYPE 00 (stored); the rest of the byte is padding
  tail.writeUInt16LE(n, 1);
  tail.writeUInt16LE(~n & 0xffff, 3);
  suffix.copy(tail, 5);
  // zlib's crc32 answers 0, not the running value, for an empty buffer without memory behind it.
  tail.writeUInt32LE(n > 0 ? crc32(suffix, d.crc) : d.crc, 5 + n);
  tail.writeUInt32LE((d.length + n) % 2 ** 32, 9 + n);
  return [d.head, tail];
}
