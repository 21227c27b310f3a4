import type { BigramList } from '../format/bigram-postings';
import { normalize } from '../analysis/normalize';
import type { Post } from '../ingest/post';
import type { DocTexts } from '../segment/doc-texts';

/**
 * The read-only view of an index that query execution works on: documents by global
 * number, their normalized title and text, and posting lists by term.
 */
export interface DocTable {
  readonly size: number;
  readonly posts: readonly Post[];
  /** Normalized titles (same lengths as the display strings). */
  readonly ntitle: readonly string[];
  /** Document `d`'s normalized body (same length as the display body); may read it from disk. */
  text(d: number): string;
  /** Lengths of the normalized bodies and titles (read per candidate by BM25; a typed array keeps that off the strings). */
  readonly textLen: Uint32Array;
  readonly titleLen: Uint32Array;
  /** Post dates as epoch ms (NaN when unknown). */
  readonly dateMs: Float64Array;
  /** Distinct category names. */
  readonly categoryNames: readonly string[];
  /**
   * Each post's facet class: posts with the same categories (in the same order) and the
   * same year share one. Facets count classes, far fewer than posts, then their values.
   */
  readonly facetClass: Uint32Array;
  /** Per facet class: its categories, as indexes into {@link categoryNames}. */
  readonly classCategories: readonly Uint32Array[];
  /** Per facet class: the UTC year of its posts' date (0 when unknown). */
  readonly classYear: Int16Array;
  /**
   * The first document of each shard, then `size`: shard s holds documents
   * shardStarts[s] .. shardStarts[s + 1] - 1. Word postings list documents shard by shard.
   */
  readonly shardStarts: Uint32Array;
  /** Smallest and largest known year ([0, -1] when no post has a date). */
  readonly yearRange: readonly [number, number];
  /** Mean normalized body and title lengths, for BM25 length normalization. */
  readonly avgLen: number;
  readonly avgTitleLen: number;
  /**
   * Documents containing `term`: for a CJK bigram, in ascending document order from
   * the bigram store; for a word term (jieba word, Latin run), in FlexSearch's
   * prominence order (most prominent first, per shard). Must not be modified.
   */
  postings(term: string): ArrayLike<number>;
  /** A CJK bigram's postings (title and body) with weighted term frequencies, or null. */
  bigram(term: string): BigramList | null;
  /** A CJK bigram's postings in titles alone, or null. */
  titleBigram(term: string): BigramList | null;
}

/** Derive the per-document arrays of a {@link DocTable} from the posts, once per loaded index. */
export function createDocTable(
  posts: readonly Post[],
  postings: DocTable['postings'],
  bigram: DocTable['bigram'],
  titleBigram: DocTable['titleBigram'],
  /** The documents' bodies. */
  texts: DocTexts,
  /** Documents per shard, in document order (they add up to the number of posts). */
  shardSizes: readonly number[],
  /** Normalized titles when the caller has them already. */
  normalizedTitles?: string[],
): DocTable {
  const n = posts.length;
  const shardStarts = new Uint32Array(shardSizes.length + 1);
  shardSizes.forEach((size, s) => (shardStarts[s + 1] = shardStarts[s] + size));
  if (shardStarts[shardSizes.length] !== n)
    throw new Error(`shard sizes add up to ${shardStarts[shardSizes.length]}, not to the ${n} posts`);
  const ntitle = normalizedTitles ?? posts.map((p) => normalize(p.title));
  const textLen = new Uint32Array(n);
  const titleLen = titleLengths(ntitle);
  const dateMs = new Float64Array(n);
  const categoryNames: string[] = [];
  const categoryIndex = new Map<string, number>();
  const facetClass = new Uint32Array(n);
  const classIndex = new Map<string, number>();
  const classCategories: Uint32Array[] = [];
  const classYears: number[] = [];
  let total = 0;
  let totalTitle = 0;
  posts.forEach((p, d) => {
    const cats = p.categories.map((c) => {
      let k = categoryIndex.get(c);
      if (k === undefined) {
        k = categoryNames.push(c) - 1;
        categoryIndex.set(c, k);
      }
      return k;
    });
    dateMs[d] = p.date ? Date.parse(p.date) : NaN;
    const year = Number.isNaN(dateMs[d]) ? 0 : new Date(dateMs[d]).getUTCFullYear();
    const key = `${year} ${cats.join(',')}`;
    let cls = classIndex.get(key);
    if (cls === undefined) {
      cls = classCategories.push(Uint32Array.from(cats)) - 1;
      classYears.push(year);
      classIndex.set(key, cls);
    }
    facetClass[d] = cls;
    textLen[d] = texts.length(d);
    total += textLen[d];
    totalTitle += titleLen[d];
  });
  const classYear = Int16Array.from(classYears);
  return {
    size: n,
    posts,
    ntitle,
    text: (d) => texts.text(d),
    textLen,
    titleLen,
    dateMs,
    shardStarts,
    yearRange: yearRange(classYear),
    categoryNames,
    facetClass,
    classCategories,
    classYear,
    avgLen: n > 0 ? Math.max(1, total / n) : 1,
    avgTitleLen: n > 0 ? Math.max(1, totalTitle / n) : 1,
    postings,
    bigram,
    titleBigram,
  };
}

/**
 * The ` - Name` at the end of a normalized title (a site or source name) as [the suffix
 * from its space on, the name], or null: a space, a mark, optional spaces, then 1–40
 * characters holding no mark.
 */
export function titleSuffix(t: string): [string, string] | null {
  const i = suffixMark(t);
  return i < 0 ? null : [t.slice(i - 1), t.slice(nameStart(t, i))];
}

/**
 * Where {@link titleSuffix}'s mark stands in `t`, or -1. Scanned from the end by code
 * unit (a regular expression anchored at the end was tried at every position of every
 * title, and a character-string scan made a string per character): an index opens with
 * a pass over every title.
 */
function suffixMark(t: string): number {
  let i = t.length - 1;
  while (i >= 0 && !isSuffixMark(t.charCodeAt(i))) i--;
  if (i < 1 || !/\s/.test(t[i - 1])) return -1;
  const name = t.length - nameStart(t, i);
  return name >= 1 && name <= SUFFIX_NAME_MAX ? i : -1;
}

/** Where the name after the mark at `i` starts: past the spaces, or at the last of them when nothing follows. */
function nameStart(t: string, i: number): number {
  let j = i + 1;
  while (j < t.length && /\s/.test(t[j])) j++;
  return j === t.length && j > i + 1 ? j - 1 : j;
}

/** `-`, `|`, `–` and `—`: the characters that set a site or source name apart. */
function isSuffixMark(c: number): boolean {
  return c === 0x2d || c === 0x7c || c === 0x2013 || c === 0x2014;
}

/** Longest name such a suffix holds. */
const SUFFIX_NAME_MAX = 40;

const SITE_SUFFIX_MIN_TITLES = 10;
const SITE_SUFFIX_MIN_SHARE = 0.02;

/**
 * Each title's length for BM25, without a suffix shared by so many titles that it names
 * the site a post was clipped from (a " - SiteName" tail can end a large share of an archive's titles),
 * not its subject. Counted, such a suffix ranked a clipped copy of an article below the
 * same article without it, and every clipped post below the rest.
 */
function titleLengths(ntitle: readonly string[]): Uint32Array {
  const marks = new Int32Array(ntitle.length);
  const names = new Array<string | undefined>(ntitle.length);
  const counts = new Map<string, number>();
  ntitle.forEach((t, d) => {
    const i = (marks[d] = suffixMark(t));
    if (i < 0) return;
    const name = (names[d] = t.slice(nameStart(t, i)));
    counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  const min = Math.max(SITE_SUFFIX_MIN_TITLES, ntitle.length * SITE_SUFFIX_MIN_SHARE);
  // The suffix runs from the space before the mark; a title that is all suffix keeps its length.
  return Uint32Array.from(ntitle, (t, d) => (marks[d] > 1 && counts.get(names[d]!)! >= min ? marks[d] - 1 : t.length));
}

function yearRange(year: Int16Array): [number, number] {
  let lo = 0;
  let hi = -1;
  for (const y of year) {
    if (y === 0) continue;
    if (hi < lo) lo = hi = y;
    else if (y < lo) lo = y;
    else if (y > hi) hi = y;
  }
  return [lo, hi];
}
