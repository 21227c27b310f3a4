import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { CorpusFile } from '../ingest/walk';
import type { FileNote, Manifest, ShardSources, SourceRecord } from '../format/manifest';

/**
 * What a version records of the corpus files it was built from (its source lists, one per
 * shard, see SOURCES_FILE), read as the files it answers for, and how a build tells
 * whether a file changed since.
 */

/** Post files added, changed (content) and removed since the previous index. */
export interface Changes {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** Where a live post file sits in a version. */
export interface StoredSource {
  record: SourceRecord;
  /** Its stored document number, or null when the file was skipped (no document). */
  doc: number | null;
  /** The shard whose source list holds this record. */
  shard: number;
}

/**
 * Every post file a version answers for, by id: its record and stored document number.
 * Files whose document is deleted are left out; a later record of a path replaces an
 * earlier one (a changed post lives in the later segment). Throws when the shards' file
 * lists do not match their document counts.
 */
export function liveSources(m: Pick<Manifest, 'shards' | 'deleted'>, sources: readonly ShardSources[]): Map<string, StoredSource> {
  const deleted = new Set(m.deleted ?? []);
  const out = new Map<string, StoredSource>();
  let doc = 0;
  sources.forEach((s, k) => {
    const skipped = new Set(s.skipped.map((n) => n.path));
    const first = doc;
    for (const record of s.files) {
      if (skipped.has(record.path)) {
        out.set(record.path, { record, doc: null, shard: k });
        continue;
      }
      const d = doc++;
      if (deleted.has(d)) out.delete(record.path);
      else out.set(record.path, { record, doc: d, shard: k });
    }
    if (doc - first !== m.shards[k]) throw new Error(`shard ${k} lists ${doc - first} indexed files for ${m.shards[k]} documents`);
  });
  return out;
}

/** The notes of the records in force: a file indexed again since has the newer shard's notes. */
export function notesInForce(
  sources: readonly ShardSources[],
  live: ReadonlyMap<string, StoredSource>,
  pick: (s: ShardSources) => FileNote[],
): FileNote[] {
  return sources.flatMap((s, k) => pick(s).filter((n) => live.get(n.path)?.shard === k));
}

/**
 * Files whose recorded mtime is this close to (or after) the previous build's start are
 * hashed even when size and mtime match: a write in the same clock tick as the read
 * would not change the mtime (git's "racy clean" problem).
 */
export const RACY_MS = 2_000;

/** True when `f` still holds the bytes `record` was made from (size and mtime, else the content hash). */
export async function sameContent(f: CorpusFile, record: SourceRecord, racyAfter: number): Promise<boolean> {
  if (record.sha1 === null || record.size !== f.size) return false;
  if (record.mtimeMs === f.mtimeMs && record.mtimeMs < racyAfter) return true;
  const bytes = await fs.readFile(f.path).catch(() => null);
  return bytes !== null && createHash('sha1').update(bytes).digest('hex') === record.sha1;
}
