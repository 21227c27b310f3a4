import { join } from 'node:path';
import { matches } from './checked-read';
import { checkFileOffThread } from './checksum-thread';
import { openVersion } from './files';

/** What {@link verifyIndex} found: the version checked, its files and bytes, and each file that failed. */
export interface VerifyReport {
  dir: string;
  files: number;
  bytes: number;
  /** `file: what is wrong`, one per damaged file; empty when every file matches. */
  damaged: string[];
}

/**
 * Read every file of the live version of `indexDir` whole and compare its size and CRC-32
 * with the manifest's. Opening an index skips that pass for files unchanged since their
 * build (store/local-checks); this is the check of everything, for an operator who
 * suspects the disk. Throws only when the version itself cannot be opened.
 */
export async function verifyIndex(indexDir: string): Promise<VerifyReport> {
  const version = await openVersion(indexDir);
  const files = Object.entries(version.manifest.files ?? {});
  const damaged: string[] = [];
  let bytes = 0;
  for (const [file, expected] of files) {
    try {
      const got = await checkFileOffThread(join(version.dir, file));
      bytes += got.bytes;
      if (!matches(got, expected)) damaged.push(`${file}: does not match its checksum (truncated or corrupted)`);
    } catch (err) {
      damaged.push(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return { dir: version.dir, files: files.length, bytes, damaged };
}
