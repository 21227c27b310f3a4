// Over 300 lines: block counting, the removal rule and the report share one block model; splitting would export its internals.
import { createHash } from 'node:crypto';
import { normalize } from '../analysis/normalize';
import type { Post } from '../ingest/post';

/**
 * Boilerplate removal by block frequency. A post's text is a sequence of blocks (the
 * lines htmlToText produces: paragraphs, list items, headings). A block that repeats,
 * word for word, across many posts of the same source is part of the site's template
 * (share buttons, "Related" headers, tag labels, comment widgets); such blocks, and the
 * short link and tag items sitting between them, are left out of what is indexed,
 * stored and shown. Nothing here knows any site: only counts, lengths and order.
 */

/** Tag of the rules below; an index built with other rules is rebuilt in full. */
export const BOILERPLATE_SCHEME = 'block-freq-v1';

/** A block is counted in no fewer than this many posts before it can be a template line: fewer repeats are as likely a shared quotation. */
export const MIN_POSTS = 5;
/** ... and in at least this share of its source's posts: in a large site, a line on fewer than 1 page in 50 is not part of the page template. */
export const MIN_SHARE = 0.02;
/** Longest block key (letters and digits) that can be template text: buttons, labels and link titles are shorter; a longer repeated passage is prose (a series introduction) that still describes the post. */
export const MAX_KEY_CHARS = 80;
/** A block longer than a long title is a paragraph of the post's own text, never removed for its neighbours. */
export const LONG_BLOCK_CHARS = 80;
/** A template's link or tag list holds a handful of items; a longer stretch of short lines between template lines (a poem, a list) belongs to the post. */
export const MAX_GAP_BLOCKS = 10;
/** The same bound in characters. */
export const MAX_GAP_CHARS = 600;

/** Sentence punctuation inside a block, or at its end: the block reads as prose, not as a link title or a label. */
const SENTENCE = /[。！；]|[.!;…]["'”’」』）)]*$/;

/** What the build keeps of a post's blocks: its source and the fingerprints of its short blocks. */
export type DocBlocks = [host: string | null, suffix: string | null, hashes: string[]];

/** The fingerprint text of a block: normalized (case, width, script), letters and digits only. */
export function blockKey(block: string): string {
  return normalize(block).replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * The key of a block that could be template text, or null: too long, or without a letter
 * (numbers alone are code line numbers, list numbers or counts that sit inside content).
 */
function candidateKey(block: string): string | null {
  const key = blockKey(block);
  return key.length > 0 && key.length <= MAX_KEY_CHARS && /\p{L}/u.test(key) ? key : null;
}

/** A 48-bit fingerprint of a block key (hex). */
export function blockHash(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 12);
}

/** The host of a post's `from` URL, without `www.` / `m.` (the same site's desktop and mobile pages), or null. */
export function postHost(url: string | null): string | null {
  if (!url) return null;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host ? host.replace(/^(?:www|m)\./, '') : null;
  } catch {
    return null;
  }
}

/** The part of a title after its last ` - ` / ` | ` / `｜` separator (a site name), or null. */
export function titleSuffix(title: string): string | null {
  const m = /(?:\s[-|–—]\s|｜)\s*([^-|–—｜]{2,40}?)\s*$/.exec(title);
  return m ? normalize(m[1]).trim() : null;
}

/** A post's source and the distinct fingerprints of its blocks short enough to be template text. */
export function docBlocks(post: Pick<Post, 'url' | 'title' | 'text'>): DocBlocks {
  const hashes = new Set<string>();
  for (const line of post.text.split('\n')) {
    const key = candidateKey(line);
    if (key !== null) hashes.add(blockHash(key));
  }
  const host = postHost(post.url);
  return [host, host ? null : titleSuffix(post.title), [...hashes]];
}

/** Posts needed in a source of `posts` posts for a block to count as template text. */
export function threshold(posts: number): number {
  return Math.max(MIN_POSTS, Math.ceil(MIN_SHARE * posts));
}

/** One source's posts and its template blocks (fingerprint → posts holding it). */
export interface SourceTable {
  posts: number;
  threshold: number;
  frequent: Map<string, number>;
}

/** The block-frequency table of an index: each post's source and each source's template blocks. */
export interface BoilerplateTable {
  /** Per document, in document order: its source key. */
  sourceOf: string[];
  sources: Map<string, SourceTable>;
}

/**
 * The source key of each post: the `from` host; else a title suffix shared by at least
 * two posts without a host (a site name); else the whole archive ('').
 */
export function resolveSources(docs: readonly DocBlocks[]): string[] {
  const suffixes = new Map<string, number>();
  for (const [host, suffix] of docs) if (!host && suffix) suffixes.set(suffix, (suffixes.get(suffix) ?? 0) + 1);
  return docs.map(([host, suffix]) => {
    if (host) return host;
    if (suffix && (suffixes.get(suffix) ?? 0) >= 2) return `title:${suffix}`;
    return '';
  });
}

/** Count fingerprints per source over every document and keep the frequent ones. */
export function computeTable(docs: readonly DocBlocks[]): BoilerplateTable {
  const sourceOf = resolveSources(docs);
  const counts = new Map<string, { posts: number; df: Map<string, number> }>();
  docs.forEach((d, i) => {
    let c = counts.get(sourceOf[i]);
    if (!c) counts.set(sourceOf[i], (c = { posts: 0, df: new Map() }));
    c.posts++;
    for (const h of d[2]) c.df.set(h, (c.df.get(h) ?? 0) + 1);
  });
  const sources = new Map<string, SourceTable>();
  for (const [source, c] of counts) {
    const t = threshold(c.posts);
    const frequent = new Map<string, number>();
    for (const [h, n] of c.df) if (n >= t) frequent.set(h, n);
    sources.set(source, { posts: c.posts, threshold: t, frequent });
  }
  return { sourceOf, sources };
}

/** A block taken out of a post: its text and, when it was removed for its own frequency, its fingerprint. */
export interface RemovedBlock {
  text: string;
  /** null: removed as a short item between template lines (a link title, a tag). */
  hash: string | null;
}

/**
 * Remove template blocks from `text` given the frequent fingerprints of its source.
 *
 * Blocks are template lines (frequent), content (longer than a title, or reading as a
 * sentence) or short (titles, tags, names, dates). A run of non-content blocks with two
 * or more template lines is a template region (a share bar, a related list, a comment
 * widget): its template lines go, and so do the short items between two of them, or after
 * the last one when the region ends the post, when there are only a few. A lone template
 * line goes at the top or bottom of a post; amid the post's paragraphs (a frequent heading
 * such as 结论, a photo credit) it stays.
 */
export function removeBoilerplate(
  text: string,
  frequent: ReadonlySet<string> | ReadonlyMap<string, unknown> | undefined,
): { text: string; removed: RemovedBlock[] } {
  if (!frequent || frequent.size === 0 || text === '') return { text, removed: [] };
  const lines = text.split('\n');
  const n = lines.length;
  const hashes: Array<string | null> = lines.map((line) => {
    const key = candidateKey(line);
    if (key === null) return null;
    const h = blockHash(key);
    return frequent.has(h) ? h : null;
  });
  if (hashes.every((h) => h === null)) return { text, removed: [] };
  const content = lines.map((line, i) => {
    if (hashes[i] !== null) return false;
    const t = line.trim();
    return t.length > LONG_BLOCK_CHARS || SENTENCE.test(t);
  });
  const drop = new Array<boolean>(n).fill(false);
  let i = 0;
  while (i < n) {
    if (content[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && !content[j]) j++;
    const marks: number[] = [];
    for (let k = i; k < j; k++) if (hashes[k] !== null) marks.push(k);
    if (marks.length >= 2) {
      for (const k of marks) drop[k] = true;
      const ends = j === n ? [...marks, n] : marks;
      for (let e = 0; e + 1 < ends.length; e++) {
        const from = ends[e] + 1;
        const to = ends[e + 1];
        let chars = 0;
        for (let k = from; k < to; k++) chars += lines[k].length;
        if (to - from <= MAX_GAP_BLOCKS && chars <= MAX_GAP_CHARS) for (let k = from; k < to; k++) drop[k] = true;
      }
    } else if (marks.length === 1 && (i === 0 || j === n)) drop[marks[0]] = true;
    i = j;
  }
  const removed: RemovedBlock[] = [];
  const kept: string[] = [];
  for (let k = 0; k < n; k++) {
    if (drop[k]) removed.push({ text: lines[k], hash: hashes[k] });
    else kept.push(lines[k]);
  }
  return { text: kept.join('\n'), removed };
}

/** Removals of one shard (or a whole build), for the build report. */
export interface BoilerplateStats {
  /** Blocks removed, and their characters. */
  blocks: number;
  chars: number;
  /** Posts that lost at least one block. */
  posts: number;
  /** Removed for their own frequency: [source, fingerprint, posts it was removed from, text]. */
  byBlock: Array<[string, string, number, string]>;
}

/** An empty {@link BoilerplateStats}. */
export function emptyStats(): BoilerplateStats {
  return { blocks: 0, chars: 0, posts: 0, byBlock: [] };
}

/** Accumulates {@link BoilerplateStats} post by post or shard by shard. */
export class StatsCollector {
  private blocks = 0;
  private chars = 0;
  private posts = 0;
  private readonly byBlock = new Map<string, [string, string, number, string]>();

  /** Count one post's removals. */
  addPost(source: string, removed: readonly RemovedBlock[]): void {
    if (removed.length === 0) return;
    this.posts++;
    const seen = new Set<string>();
    for (const r of removed) {
      this.blocks++;
      this.chars += r.text.length;
      if (r.hash !== null && !seen.has(r.hash)) {
        seen.add(r.hash);
        this.bump(source, r.hash, 1, r.text);
      }
    }
  }

  /** Add another collector's totals. */
  addStats(s: BoilerplateStats): void {
    this.blocks += s.blocks;
    this.chars += s.chars;
    this.posts += s.posts;
    for (const [source, hash, count, text] of s.byBlock) this.bump(source, hash, count, text);
  }

  private bump(source: string, hash: string, count: number, text: string): void {
    const id = `${source}\0${hash}`;
    const e = this.byBlock.get(id);
    if (e) e[2] += count;
    else this.byBlock.set(id, [source, hash, count, text]);
  }

  /** The totals, blocks most removed first. */
  finish(): BoilerplateStats {
    const byBlock = [...this.byBlock.values()].sort((a, b) => b[2] - a[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0));
    return { blocks: this.blocks, chars: this.chars, posts: this.posts, byBlock };
  }
}

/** Top entries of the build report. */
export const REPORT_TOP = 20;
/** Characters of a block's text shown in the report. */
export const REPORT_TEXT_CHARS = 60;

/** What a build removed, for its report. */
export interface BoilerplateReport {
  /** Blocks removed in all, their characters, and the posts they were removed from. */
  blocks: number;
  chars: number;
  posts: number;
  /** Sources with at least one template block. */
  sources: number;
  /** The most removed template blocks (text truncated), with the number of posts they were removed from. */
  top: Array<{ source: string; text: string; count: number }>;
}

/** The build report's summary of `stats` over `table`. */
export function reportOf(stats: BoilerplateStats, table: BoilerplateTable): BoilerplateReport {
  let sources = 0;
  for (const s of table.sources.values()) if (s.frequent.size > 0) sources++;
  return {
    blocks: stats.blocks,
    chars: stats.chars,
    posts: stats.posts,
    sources,
    top: stats.byBlock.slice(0, REPORT_TOP).map(([source, , count, text]) => ({
      source: source || '(archive)',
      text: text.length > REPORT_TEXT_CHARS ? text.slice(0, REPORT_TEXT_CHARS - 1) + '…' : text,
      count,
    })),
  };
}

/** The per-shard file: each document's blocks and source, and the shard's removals. */
export interface ShardBlocksFile {
  docs: DocBlocks[];
  /** Per document: the source key it was cleaned under. */
  sources: string[];
  stats: BoilerplateStats;
}

/** The index-wide file: the scheme and each source's template blocks. */
export interface BoilerplateFile {
  scheme: string;
  /** [source, posts, threshold, [fingerprint, posts holding it][]] */
  sources: Array<[string, number, number, Array<[string, number]>]>;
  report: BoilerplateReport;
}

/** Encode the index-wide table. */
export function encodeTable(table: BoilerplateTable, report: BoilerplateReport): string {
  const file: BoilerplateFile = {
    scheme: BOILERPLATE_SCHEME,
    sources: [...table.sources.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([source, s]) => [
        source,
        s.posts,
        s.threshold,
        [...s.frequent.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
      ]),
    report,
  };
  return JSON.stringify(file);
}

/** Decode {@link encodeTable} output into the frequent sets per source; `file` names it in errors. */
export function decodeTable(json: string, file: string): { frequent: Map<string, Set<string>>; report: BoilerplateReport } {
  const parsed = JSON.parse(json) as Partial<BoilerplateFile>;
  if (!parsed || parsed.scheme !== BOILERPLATE_SCHEME || !Array.isArray(parsed.sources) || !parsed.report) {
    throw new Error(`${file}: not a boilerplate table of scheme ${BOILERPLATE_SCHEME}`);
  }
  const frequent = new Map<string, Set<string>>();
  for (const [source, , , blocks] of parsed.sources) frequent.set(source, new Set(blocks.map((b) => b[0])));
  return { frequent, report: parsed.report };
}

/** The frequent fingerprints of each source, as sets. */
export function frequentSets(table: BoilerplateTable): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [source, s] of table.sources) out.set(source, new Set(s.frequent.keys()));
  return out;
}

/**
 * True when a document cleaned under `oldSource` with `oldSets` would be cleaned
 * differently now under `newSource` with `newSets`: one of its blocks became, or stopped
 * being, a template line.
 */
export function cleanedDifferently(
  doc: DocBlocks,
  oldSource: string,
  newSource: string,
  oldSets: ReadonlyMap<string, ReadonlySet<string>>,
  newSets: ReadonlyMap<string, ReadonlySet<string>>,
): boolean {
  const before = oldSets.get(oldSource);
  const after = newSets.get(newSource);
  // Only the blocks the post holds matter: the same template lines under another key clean it the same way.
  return doc[2].some((h) => (before?.has(h) ?? false) !== (after?.has(h) ?? false));
}
