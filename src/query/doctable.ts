import type { BigramList } from '../indexer/bigram-postings';
import type { Post } from '../ingest/post';

/**
 * The read-only view of an index that query execution works on: documents by global
 * number, their normalized title and text, and posting lists by term.
 */
export interface DocTable {
  readonly size: number;
  readonly posts: readonly Post[];
  /** Normalized titles and bodies (same lengths as the display strings). */
  readonly ntitle: readonly string[];
  readonly ntext: readonly string[];
  /** Post dates as epoch ms (NaN when unknown). */
  readonly dateMs: Float64Array;
  /**
   * Distinct category names, and each post's categories as indexes into them (for
   * facets): post d's are categoryFlat[categoryStart[d] .. categoryStart[d + 1]).
   */
  readonly categoryNames: readonly string[];
  readonly categoryStart: Uint32Array;
  readonly categoryFlat: Uint32Array;
  /** UTC year of each post's date (0 when unknown), for the year facet. */
  readonly year: Int16Array;
  /** Smallest and largest known year ([0, -1] when no post has a date). */
  readonly yearRange: readonly [number, number];
  /** Mean normalized body length, for BM25 length normalization. */
  readonly avgLen: number;
  /**
   * Documents containing `term`: for a CJK bigram, in ascending document order from
   * the bigram store; for a word term (jieba word, Latin run), in FlexSearch's
   * prominence order (most prominent first, per shard). Must not be modified.
   */
  postings(term: string): ArrayLike<number>;
  /** A CJK bigram's postings with weighted term frequencies, or null. */
  bigram(term: string): BigramList | null;
}
