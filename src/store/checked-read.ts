import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { LruCache } from '../lru';
import { promisify } from 'node:util';
import { crc32, gunzip, gunzipSync } from 'node:zlib';
import { FORMAT_VERSION, type FileChecksum, type Manifest } from '../format/manifest';
import { checkFileOffThread, type FileCheck } from './checksum-thread';
import type { VersionReader } from './backend';
import type { LocalCheck } from './local-checks';

const gunzipAsync = promisify(gunzip);
/** Stored files up to this size are inflated on the calling thread (see checkedReader). */
const SYNC_INFLATE_BYTES = 64 * 1024;

/** Refuse a manifest of another format version, naming the version found. */
export function checkFormat(manifest: Manifest, dir: string): void {
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw new Error(
      `index ${dir} has format version ${String(manifest.formatVersion)}, this zhsearch reads version ${FORMAT_VERSION}: rebuild the index (npm run build-index)`,
    );
  }
}

/** The manifest's checksums of `bytes`. */
export function checksum(bytes: Buffer): FileChecksum {
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), crc32: crc32(bytes) };
}

/** True when a file's size and CRC-32 (`got`: bytes in memory, or a file's check) are those the manifest records. */
export function matches(got: Buffer | FileCheck, expected: FileChecksum): boolean {
  const check = Buffer.isBuffer(got) ? { bytes: got.length, crc32: crc32(got) } : got;
  return check.bytes === expected.bytes && check.crc32 === expected.crc32;
}

/**
 * The readers of one version's gzip'd files, shared by every backend: a file must be listed
 * in the manifest and match its size and checksum before it is inflated. `fetch` returns a
 * file's stored bytes (or throws a message naming what went wrong).
 */
export function checkedReader(
  dir: string,
  manifest: Manifest,
  fetch: (file: string) => Promise<Buffer>,
): Pick<VersionReader, 'readGzip' | 'readGzipBytes'> {
  const readGzipBytes = async (file: string): Promise<Buffer> => {
    const expected = manifest.files?.[file];
    if (!expected) throw new Error(`index ${dir} is damaged: manifest does not list ${file}; rebuild it`);
    const bytes = await fetch(file);
    if (!matches(bytes, expected)) {
      throw new Error(`index ${dir} is damaged: ${file} does not match its checksum (truncated or corrupted); rebuild it`);
    }
    // A small file (a shard's document table is a few KB) inflates in a fraction of a
    // millisecond: on this thread that costs less than the thread pool's round trips, one
    // per 16 KB of output.
    return bytes.length <= SYNC_INFLATE_BYTES ? gunzipSync(bytes) : gunzipAsync(bytes);
  };
  return { readGzipBytes, readGzip: async (file) => (await readGzipBytes(file)).toString('utf8') };
}

/** The manifest's checksum of `file`, or an error naming it when the manifest does not list it. */
export function listedChecksum(dir: string, manifest: Manifest, file: string): FileChecksum {
  const expected = manifest.files?.[file];
  if (!expected) throw new Error(`index ${dir} is damaged: manifest does not list ${file}; rebuild it`);
  return expected;
}

/**
 * Check the local file `path` holding `file` of the version against the manifest checksum,
 * streaming it through the hash (never whole in memory); returns `path`. Not read when this
 * process checked the same file already, or when `recorded` (store/local-checks) says its
 * builder did and the file is unchanged since.
 */
export async function checkLocalFile(dir: string, manifest: Manifest, file: string, path: string, recorded?: LocalCheck): Promise<string> {
  const expected = listedChecksum(dir, manifest, file);
  let got: FileCheck;
  let key: string;
  try {
    key = localIdentity(path);
    if (verified.get(key) === expected.crc32) return path;
    if (recorded && recorded.identity === key && recorded.crc32 === expected.crc32) return path;
    got = await checkFileOffThread(path);
  } catch (err) {
    throw new Error(`index ${dir} is damaged: ${file} cannot be read (${(err as NodeJS.ErrnoException).code}); rebuild it`);
  }
  if (!matches(got, expected)) {
    throw new Error(`index ${dir} is damaged: ${file} does not match its checksum (truncated or corrupted); rebuild it`);
  }
  verified.set(key, expected.crc32);
  return path;
}

/**
 * A file's device, inode, size and mtime: what stays the same while its bytes do (a
 * write changes the mtime; a hard link into another version keeps all four).
 */
export function fileIdentity(st: { dev: number; ino: number; size: number; mtimeMs: number }): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

/**
 * The {@link fileIdentity} of a local file, stat'ed synchronously: opening an index asks
 * for those of its shard files, hundreds for a large archive, and through the thread
 * pool each stat cost far more than the system call does for an inode the kernel holds.
 */
export function localIdentity(path: string): string {
  return fileIdentity(statSync(path));
}

/**
 * Files checked in this process, by {@link fileIdentity}: a version that
 * hard-links its predecessor's files (an update segment, a merge's kept shards) is
 * opened without reading them again. A write to a file changes its mtime.
 */
const verified = new LruCache<string, number>(16_384);
