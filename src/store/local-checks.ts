import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { FileChecksum } from '../format/manifest';
import { localIdentity } from './checked-read';

/**
 * What the builder of a version folder vouches for on this machine: for each file read by
 * position (bodies, postings), its identity on disk (device, inode, size, mtime; see
 * {@link localIdentity}) and its CRC-32. Opening the version skips the pass over every byte
 * of a file whose identity still matches and whose CRC is the manifest's, as Lucene checks
 * whole files when it writes and merges them, not at every open. Rewriting, truncating or
 * copying a file changes its identity, and such a file is checked in full again. Kept out
 * of the manifest: identities hold on this machine only.
 */
export const LOCAL_CHECKS_FILE = 'local-checks.json';

/** One file's identity when its builder checked it, and its CRC-32. */
export interface LocalCheck {
  identity: string;
  crc32: number;
}

/** Files a reader checks by position rather than reading them whole (gzip'd files are inflated, and checked, in memory). */
function readByPosition(file: string): boolean {
  return !file.endsWith('.gz') && file !== 'manifest.json';
}

/** Record the identity and CRC-32 of the version's files read by position, in the folder `dir` that holds them. */
export async function writeLocalChecks(dir: string, files: Record<string, FileChecksum>): Promise<void> {
  const checks: Record<string, LocalCheck> = {};
  for (const [file, sum] of Object.entries(files)) {
    if (!readByPosition(file)) continue;
    checks[file] = { identity: localIdentity(join(dir, file)), crc32: sum.crc32 };
  }
  await fs.writeFile(join(dir, LOCAL_CHECKS_FILE), JSON.stringify(checks));
}

/**
 * The checks recorded in version folder `dir`; none when there is no such file or it cannot
 * be read (every file is then checked in full, as before the record existed).
 */
export async function readLocalChecks(dir: string): Promise<Map<string, LocalCheck>> {
  const found = new Map<string, LocalCheck>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(join(dir, LOCAL_CHECKS_FILE), 'utf8'));
  } catch {
    return found;
  }
  if (typeof parsed !== 'object' || parsed === null) return found;
  for (const [file, c] of Object.entries(parsed as Record<string, unknown>)) {
    const check = c as Partial<LocalCheck> | null;
    if (check && typeof check.identity === 'string' && typeof check.crc32 === 'number') {
      found.set(file, { identity: check.identity, crc32: check.crc32 });
    }
  }
  return found;
}
