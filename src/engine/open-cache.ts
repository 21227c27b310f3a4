import type { PostMeta, VocabColumns } from '../format/codec';

/**
 * What the last index opened in this process decoded, by the SHA-256 the manifest gives
 * its file (a content address): a server reloading after an update segment, or after a
 * merge that kept most shards, decodes only the files that changed. Decoding every
 * shard's documents and the vocabulary was most of a reload's CPU (a profile of
 * re-opening the oped2 index). One index is kept: a process that alternates between
 * two indexes decodes as if there were no cache.
 */
export class DecodedFiles {
  private docs = new Map<string, { metas: PostMeta[]; ntitle: string[] }>();
  private vocab = new Map<string, VocabColumns>();
  private nextDocs = new Map<string, { metas: PostMeta[]; ntitle: string[] }>();
  private nextVocab = new Map<string, VocabColumns>();

  /** A shard's documents and normalized titles, decoded from the file with this checksum. */
  docsOf(sha256: string | undefined): { metas: PostMeta[]; ntitle: string[] } | undefined {
    return sha256 === undefined ? undefined : this.docs.get(sha256);
  }

  vocabOf(sha256: string | undefined): VocabColumns | undefined {
    return sha256 === undefined ? undefined : this.vocab.get(sha256);
  }

  /** Record what the load in progress decoded or reused; kept once {@link commit} is called. */
  keepDocs(sha256: string | undefined, value: { metas: PostMeta[]; ntitle: string[] }): void {
    if (sha256 !== undefined) this.nextDocs.set(sha256, value);
  }

  keepVocab(sha256: string | undefined, value: VocabColumns): void {
    if (sha256 !== undefined) this.nextVocab.set(sha256, value);
  }

  /** The load succeeded: what it recorded replaces the previous load's entries. */
  commit(): void {
    this.docs = this.nextDocs;
    this.vocab = this.nextVocab;
    this.nextDocs = new Map();
    this.nextVocab = new Map();
  }
}

/** The process's cache (see {@link DecodedFiles}). */
export const decodedFiles = new DecodedFiles();
