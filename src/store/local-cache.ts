import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileChecksum } from '../format/manifest';
import { checkFileOffThread } from './checksum-thread';
import { matches } from './checked-read';
import { linkOrCopy } from './files';

/**
 * A local folder of index files fetched from a network store, so that readers open and
 * read them by position like the file backend's. Files are named by content
 * (`<sha256>-<name>`): a new version shares every file whose checksum did not change, and
 * only the others are fetched. Every process on the machine can share one folder.
 */

/** The cache folder: `ZHSEARCH_CACHE_DIR`, else `zhsearch-cache` under the system's temporary folder. */
export function defaultCacheDir(): string {
  return process.env.ZHSEARCH_CACHE_DIR || join(tmpdir(), 'zhsearch-cache');
}

/** Cached files unused this long, and not part of the version being opened, are removed. */
const STALE_MS = 60 * 60_000;

/**
 * The local path of `file` (checksum `expected`) in `cacheDir`: the cached copy when it
 * matches its checksum, else the bytes from `fetch`, checked and stored first. `where`
 * names the version in errors.
 */
export async function cachedFile(
  cacheDir: string,
  where: string,
  file: string,
  expected: FileChecksum,
  fetch: () => Promise<Buffer>,
): Promise<string> {
  const path = join(cacheDir, `${expected.sha256}-${file}`);
  const have = await checkFileOffThread(path).catch(() => null);
  if (have && matches(have, expected)) {
    const now = new Date();
    await fs.utimes(path, now, now).catch(() => undefined);
    return path;
  }
  const bytes = await fetch();
  if (!matches(bytes, expected)) {
    throw new Error(`index ${where} is damaged: ${file} does not match its checksum (truncated or corrupted); rebuild it`);
  }
  try {
    await fs.mkdir(cacheDir, { recursive: true });
    const tmp = aside(path);
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, path);
  } catch (err) {
    throw new Error(`cannot write ${file} of ${where} into the cache folder ${cacheDir}: ${(err as Error).message}`);
  }
  return path;
}

/**
 * Remove cached files of other versions unused for an hour, and leftovers of interrupted
 * writes; `keep` are the file names (`<sha256>-<name>`) of the version being opened.
 * Best effort: a file still open elsewhere stays readable there until closed.
 */
export async function pruneCache(cacheDir: string, keep: ReadonlySet<string>): Promise<void> {
  const entries = await fs.readdir(cacheDir).catch(() => [] as string[]);
  const now = Date.now();
  for (const e of entries) {
    if (keep.has(e)) continue;
    const st = await fs.stat(join(cacheDir, e)).catch(() => null);
    if (st && now - st.mtimeMs > STALE_MS) await fs.rm(join(cacheDir, e), { force: true }).catch(() => undefined);
  }
}

/**
 * Put the files of a version folder `dir` (its manifest's `files`) into `cacheDir` under
 * their cache names, hard-linked where possible: a writer that just published them
 * need not fetch them back for its next incremental build, nor a reader on the same
 * machine. Best effort: a file that cannot be linked or copied is fetched when needed.
 */
export async function seedCache(cacheDir: string, dir: string, files: Record<string, FileChecksum>): Promise<void> {
  await fs.mkdir(cacheDir, { recursive: true }).catch(() => undefined);
  for (const [file, sum] of Object.entries(files)) {
    const path = join(cacheDir, `${sum.sha256}-${file}`);
    const tmp = aside(path);
    try {
      await linkOrCopy(join(dir, file), tmp);
      await fs.rename(tmp, path);
    } catch {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}

/**
 * A name beside `path` to write it under before renaming it into place: a reader never
 * sees half a file, and two processes writing the same file both end with a whole one.
 * pruneCache removes such leftovers.
 */
function aside(path: string): string {
  return `${path}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
}
