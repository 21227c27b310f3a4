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
  /** Distinct category names, and each post's categories as indexes into them (for facets). */
  readonly categoryNames: readonly string[];
  readonly categoryIds: readonly Uint32Array[];
  /** UTC year of each post's date (0 when unknown), for the year facet. */
  readonly year: Int16Array;
  /** Mean normalized body length, for BM25 length normalization. */
  readonly avgLen: number;
  /**
   * Documents containing `term`, in the index's prominence order (most prominent
   * first, per shard). The array must not be modified.
   */
  postings(term: string): readonly number[];
}
