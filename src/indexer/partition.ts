import { fnv1a } from '../hash';
import type { CorpusFile } from '../ingest/walk';

/**
 * Shard boundaries are content-defined (as in rsync or restic chunking): a shard ends
 * after a file whose id hashes to 0 modulo {@link SHARD_TARGET_DOCS}, or when it reaches
 * {@link SHARD_MAX_DOCS}. A boundary depends only on the ids around it, so adding,
 * changing or deleting a post changes only the shard it falls in: an incremental build
 * rebuilds that shard and reuses the others, and gets exactly the shards (hence the
 * document numbers and the per-shard FlexSearch order) a full build would.
 */

/** Mean documents per shard. */
export const SHARD_TARGET_DOCS = 128;
/** Hard cap on documents per shard (bounds the cost of one shard rebuild). */
export const SHARD_MAX_DOCS = 512;

/** Split files (sorted by id) into contiguous shards at content-defined boundaries. */
export function partition(files: readonly CorpusFile[]): CorpusFile[][] {
  const parts: CorpusFile[][] = [];
  let current: CorpusFile[] = [];
  for (const f of files) {
    current.push(f);
    if (current.length >= SHARD_MAX_DOCS || fnv1a(f.id) % SHARD_TARGET_DOCS === 0) {
      parts.push(current);
      current = [];
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
