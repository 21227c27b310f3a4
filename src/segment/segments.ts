import { docIdArray, type BigramList, type BigramLookup, type DocIds } from '../format/bigram-postings';
import type { WordLookup } from '../format/word-postings';
import { LruCache } from '../lru';

/**
 * An index version with update segments or deletions stores documents under numbers
 * (merged shards first, then each segment's) that queries never see: they see the live
 * documents numbered densely in stored order. Posting lists are translated as they are
 * read, dropping deleted documents, so that everything above (matching, BM25 statistics,
 * facets, hits) works on live documents alone and exactly.
 */

/** Lists translated recently, per lookup (both kinds of list are read again and again by one query). */
const LIST_CACHE = 512;

/** Stored ↔ live document numbers of a version. */
export class DocMap {
  private constructor(
    /** Live number of each stored document, or -1 when it is deleted. */
    readonly toLive: Int32Array,
    /** Stored number of each live document. */
    readonly toStored: Uint32Array,
  ) {}

  /** The map of `stored` documents of which `deleted` (stored numbers, any order) are gone. */
  static of(stored: number, deleted: readonly number[]): DocMap {
    const toLive = new Int32Array(stored);
    for (const d of deleted) {
      if (!Number.isInteger(d) || d < 0 || d >= stored) throw new RangeError(`deleted document ${d} is not one of the ${stored} stored`);
      toLive[d] = -1;
    }
    const toStored = new Uint32Array(stored - deleted.length);
    let live = 0;
    for (let d = 0; d < stored; d++) {
      if (toLive[d] === -1) continue;
      toStored[live] = d;
      toLive[d] = live++;
    }
    if (live !== toStored.length) throw new RangeError('deleted documents listed twice');
    return new DocMap(toLive, toStored);
  }

  /** Live documents. */
  get size(): number {
    return this.toStored.length;
  }
}

/** One segment's postings: a lookup with document numbers local to it, and its first stored number. */
export interface SegmentPart<T> {
  lookup: T;
  shift: number;
}

/** Bigram postings over the merged file and every update segment, in live numbers. */
export class SegmentedBigrams implements BigramLookup {
  private readonly lists = new LruCache<number, BigramList | null>(LIST_CACHE);

  constructor(
    private readonly parts: ReadonlyArray<SegmentPart<BigramLookup>>,
    private readonly map: DocMap,
  ) {}

  lookup(key: number): BigramList | null {
    const hit = this.lists.get(key);
    if (hit !== undefined) return hit;
    const found: Array<[BigramList, number]> = [];
    let n = 0;
    for (const p of this.parts) {
      const list = p.lookup.lookup(key);
      if (list) {
        found.push([list, p.shift]);
        n += list.docs.length;
      }
    }
    const docs = docIdArray(n, this.map.size);
    const tfs = new Uint8Array(n);
    let m = 0;
    for (const [list, shift] of found) {
      for (let i = 0; i < list.docs.length; i++) {
        const live = this.map.toLive[list.docs[i] + shift];
        if (live < 0) continue;
        docs[m] = live;
        tfs[m++] = list.tfs[i];
      }
    }
    const out = m === 0 ? null : { docs: docs.subarray(0, m), tfs: tfs.subarray(0, m) };
    this.lists.set(key, out);
    return out;
  }

  /** Live documents with the key: exact, so it reads the lists (BM25 takes document frequencies from here). */
  count(key: number): number {
    return this.lookup(key)?.docs.length ?? 0;
  }

  close(): void {
    for (const p of this.parts) p.lookup.close();
  }
}

/** Word postings over the merged file and every update segment, in live numbers, segment by segment. */
export class SegmentedWords implements WordLookup {
  private readonly lists = new LruCache<string, DocIds>(LIST_CACHE);

  constructor(
    private readonly parts: ReadonlyArray<SegmentPart<WordLookup>>,
    private readonly map: DocMap,
  ) {}

  lookup(term: string): DocIds {
    const hit = this.lists.get(term);
    if (hit !== undefined) return hit;
    const found = this.parts.map((p) => [p.lookup.lookup(term), p.shift] as const);
    const docs = docIdArray(
      found.reduce((n, [list]) => n + list.length, 0),
      this.map.size,
    );
    let m = 0;
    for (const [list, shift] of found) {
      for (let i = 0; i < list.length; i++) {
        const live = this.map.toLive[list[i] + shift];
        if (live >= 0) docs[m++] = live;
      }
    }
    const out = docs.subarray(0, m);
    this.lists.set(term, out);
    return out;
  }

  close(): void {
    for (const p of this.parts) p.lookup.close();
  }
}
