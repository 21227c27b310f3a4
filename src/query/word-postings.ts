import type { FlexIndex } from '../format/flex-index';
import type { WordLookup } from '../format/word-postings';
import { LruCache } from '../lru';

/**
 * Posting lists of word terms (jieba words of 3+ characters, Latin runs) over all
 * shards, in FlexSearch's order: shard by shard, and within a shard by resolution slot
 * (most prominent first), which is what ranking uses as its prior. An opened index reads
 * them from its word posting file (segment/word-file.ts).
 */
export type WordIndex = WordLookup;

/**
 * Word postings answered by FlexSearch itself, searching each in-memory shard index
 * (engines built with `fromDocuments`, which have no files); recent lists cached.
 */
export class FlexShards implements WordIndex {
  private readonly cache = new LruCache<string, Uint32Array>(512);

  constructor(private readonly shards: ReadonlyArray<{ flex: FlexIndex; offset: number; size: number }>) {}

  lookup(term: string): Uint32Array {
    const hit = this.cache.get(term);
    if (hit) return hit;
    let out: number[] = [];
    for (const s of this.shards) {
      const ids = s.flex.search([term] as unknown as string, { limit: s.size }) as number[];
      if (ids.length === 0) continue;
      if (s.offset === 0 && out.length === 0) out = ids;
      else for (const id of ids) out.push(id + s.offset);
    }
    const postings = Uint32Array.from(out);
    this.cache.set(term, postings);
    return postings;
  }

  /** Nothing to release: the shards are in memory. */
  close(): void {}
}
