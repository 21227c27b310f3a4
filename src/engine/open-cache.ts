import type { VocabColumns } from '../format/codec';
import type { PostMeta } from '../ingest/post';
import { localIdentity } from '../store/checked-read';

/** A shard's decoded document table and normalized titles. */
export interface DecodedDocs {
  metas: PostMeta[];
  ntitle: string[];
}

type Decoded = DecodedDocs | VocabColumns;

/**
 * What the last index opened in this process decoded, by the SHA-256 the manifest gives
 * its file (a content address): a server reloading after an update segment, or after a
 * merge that kept most shards, decodes only the files that changed. Decoding every
 * shard's document table and the vocabulary was most of a reload's CPU (a profile of
 * re-opening the oped2 index). An entry is used only while the file on disk has the
 * identity it had when decoded (store/checked-read.ts `fileIdentity`), so that a file
 * damaged since is read again and refused. One index is kept: a process that
 * alternates between two indexes decodes as if there were no cache.
 */
export class DecodedFiles {
  private entries = new Map<string, { stat: string; value: Decoded }>();
  private next = new Map<string, { stat: string; value: Decoded }>();

  /** A shard's documents decoded from `path` (listed with checksum `sha256`), if still valid. */
  docs(sha256: string | undefined, path: string): DecodedDocs | undefined {
    return this.get(sha256, path) as DecodedDocs | undefined;
  }

  vocab(sha256: string | undefined, path: string): VocabColumns | undefined {
    return this.get(sha256, path) as VocabColumns | undefined;
  }

  /** Record what the load in progress decoded or reused from `path`; kept once {@link commit} is called. */
  keep(sha256: string | undefined, path: string, value: Decoded): void {
    const stat = statKey(path);
    if (sha256 !== undefined && stat !== null) this.next.set(sha256, { stat, value });
  }

  /** The load succeeded: what it recorded replaces the previous load's entries. */
  commit(): void {
    this.entries = this.next;
    this.next = new Map();
  }

  private get(sha256: string | undefined, path: string): Decoded | undefined {
    const hit = sha256 === undefined ? undefined : this.entries.get(sha256);
    if (!hit) return undefined;
    return statKey(path) === hit.stat ? hit.value : undefined;
  }
}

function statKey(path: string): string | null {
  try {
    return localIdentity(path);
  } catch {
    return null; // not a local file (a network store's version): never reused
  }
}

/** The process's cache (see {@link DecodedFiles}). */
export const decodedFiles = new DecodedFiles();
