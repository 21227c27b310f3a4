import { existsSync, promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { countBigrams, bigramText } from '../analysis/bigrams';
import { isWordChar, normalize } from '../analysis/normalize';
import { foldPlural, runs } from '../analysis/terms';
import { decodePost, parsePost, type Post } from '../ingest/post';
import { walkCorpus } from '../ingest/walk';
import { foldTableBytes } from './fold';
import { ByteWriter, postingValue, shardOf, STATIC_FORMAT } from './format';
import { DEFAULT_PERMALINK, postUrl } from './url';

/**
 * `buildStatic` writes a folder that any static host can serve and that the browser
 * module (assets/zhsearch.js) searches without a server:
 *
 * - `meta.json`: document count, shard count, average field lengths;
 * - `lengths.bin`: title and body length of every document (BM25 length norms);
 * - `fold.bin`: the query normalization table (NFKC, case, traditional → simplified);
 * - `p/<shard>.bin`: doc-level postings of every CJK character bigram and Latin word,
 *   hashed into shards, each posting a delta-varint document number plus its term
 *   frequencies in body and title;
 * - `d/<group>/<doc>.bin`: one document's title, url, date and the head of its text,
 *   fetched only for the results shown (exact substring check and snippet);
 * - `t/<group>/<doc>.bin`: the rest of its text, fetched only when the query's terms are
 *   not all in the title or head (the postings flag which are);
 * - `zhsearch.js`, `zhsearch-box.js`, `index.html`: the engine, the drop-in element and a page.
 *
 * Documents are numbered newest first, so ties in ranking favour recent posts.
 */

/** Options of {@link buildStatic}. */
export interface StaticBuildOptions {
  /** Folder of posts (Jekyll front matter + HTML/Markdown), read recursively. */
  corpus: string;
  /** Output folder; created if missing, files of an earlier build are replaced. */
  out: string;
  /** Jekyll permalink style or pattern for result links (default: Jekyll's `date`). */
  permalink?: string;
  /** Prefix of every result link (the site's `baseurl`), default none. */
  baseUrl?: string;
  /** Use each post's front matter `from` URL as its link instead of the permalink. */
  linkToSource?: boolean;
  /** Number of posting shards (a power of two); default sized to the corpus. */
  shards?: number;
  /**
   * Keep the rest of each text past its head (default true): needed for the exact check
   * of Chinese words of 3+ characters and phrases, and for snippets past the head.
   * Without it the bundle is about half the size; such words are then matched by their
   * character pairs alone.
   */
  fullText?: boolean;
}

/** What a static build did. */
export interface StaticBuildReport {
  docs: number;
  /** Files skipped, with the reason. */
  skipped: Array<{ id: string; reason: string }>;
  shards: number;
  terms: number;
  postings: number;
  files: number;
  bytes: number;
  ms: number;
}

/** Target uncompressed size of one posting shard: a few KB fetched per query term. */
const SHARD_TARGET_BYTES = 3_000;
/**
 * Body characters kept in a result record (d/): enough for most snippets, so a page of
 * results usually costs ten small records; the rest of the text (t/) is fetched only when
 * a match or the exact check needs it.
 */
export const HEAD_CHARS = 600;
/** Documents per folder under d/, so no folder holds thousands of files. */
export const DOC_GROUP = 256;
const ASSETS = ['zhsearch.js', 'zhsearch-box.js', 'index.html'];

interface Postings {
  docs: number[];
  vals: number[];
}

/** Build the static search folder for `options.corpus` into `options.out`. */
export async function buildStatic(options: StaticBuildOptions): Promise<StaticBuildReport> {
  const t0 = Date.now();
  const out = resolve(options.out);
  if (
    options.shards !== undefined &&
    (!Number.isInteger(options.shards) || options.shards < 1 || (options.shards & (options.shards - 1)) !== 0)
  ) {
    throw new Error(`shards: ${options.shards} is not a power of two`);
  }
  const { posts, skipped } = await readPosts(options.corpus);
  if (posts.length === 0) throw new Error(`corpus ${options.corpus}: no readable posts`);
  posts.sort(comparePosts);

  const terms = new Map<string, Postings>();
  const titleLen: number[] = [];
  const bodyLen: number[] = [];
  const heads: number[] = [];
  let postings = 0;
  posts.forEach((post, doc) => {
    const title = normalize(post.title);
    const body = normalize(post.text);
    titleLen.push(title.length);
    bodyLen.push(body.length);
    const tBody = termCounts(body);
    const tTitle = termCounts(title);
    const cut = headEnd(body);
    heads.push(cut);
    const tHead = termCounts(body.slice(0, cut));
    for (const t of tTitle.keys()) if (!tBody.has(t)) tBody.set(t, 0);
    for (const [term, tf] of tBody) {
      let p = terms.get(term);
      if (!p) terms.set(term, (p = { docs: [], vals: [] }));
      p.docs.push(doc);
      const titleTf = tTitle.get(term) ?? 0;
      p.vals.push(postingValue(tf, titleTf, titleTf > 0 || tHead.has(term)));
      postings++;
    }
  });

  const shards = options.shards ?? autoShards(postings);
  await fs.mkdir(out, { recursive: true });
  await Promise.all(['p', 'd', 't'].map((dir) => fs.rm(join(out, dir), { recursive: true, force: true })));
  await fs.mkdir(join(out, 'p'));
  let files = 0;
  let bytes = 0;
  const write = async (rel: string, data: Uint8Array | string): Promise<void> => {
    await fs.writeFile(join(out, rel), data);
    files++;
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  };

  const byShard: string[][] = Array.from({ length: shards }, () => []);
  for (const term of terms.keys()) byShard[shardOf(term, shards)].push(term);
  await inBatches(byShard.length, 64, (s) => write(`p/${s}.bin`, gzipSync(encodeShard(byShard[s], terms), { level: 9 })));
  terms.clear();

  for (let g = 0; g * DOC_GROUP < posts.length; g++) {
    await fs.mkdir(join(out, 'd', String(g)), { recursive: true });
    if (options.fullText !== false) await fs.mkdir(join(out, 't', String(g)), { recursive: true });
  }
  await inBatches(posts.length, 64, async (doc) => {
    const post = posts[doc];
    const url = options.linkToSource ? safeUrl(post.url) : postUrl(post, options.permalink ?? DEFAULT_PERMALINK, options.baseUrl ?? '');
    const head = post.text.slice(0, heads[doc]);
    const rest = post.text.slice(heads[doc]);
    const record = JSON.stringify({ id: post.id, title: post.title, url, date: post.date, head, more: rest.length > 0 });
    await write(docPath(doc), gzipSync(record, { level: 9 }));
    if (rest.length > 0 && options.fullText !== false) await write(docPath(doc).replace(/^d\//, 't/'), gzipSync(rest, { level: 9 }));
  });

  const lengths = new ByteWriter();
  for (let d = 0; d < posts.length; d++) {
    lengths.varint(titleLen[d]);
    lengths.varint(bodyLen[d]);
  }
  await write('lengths.bin', gzipSync(lengths.result(), { level: 9 }));
  await write('fold.bin', gzipSync(foldTableBytes(), { level: 9 }));
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const meta = {
    format: STATIC_FORMAT,
    docs: posts.length,
    shards,
    docGroup: DOC_GROUP,
    fullText: options.fullText !== false,
    avgTitle: avg(titleLen),
    avgBody: avg(bodyLen),
  };
  await write('meta.json', JSON.stringify(meta));
  for (const name of ASSETS) await write(name, await fs.readFile(join(assetsDir(), name)));
  return {
    docs: posts.length,
    skipped,
    shards,
    terms: byShard.reduce((n, s) => n + s.length, 0),
    postings,
    files,
    bytes,
    ms: Date.now() - t0,
  };
}

/**
 * End of the head of a normalized body: about {@link HEAD_CHARS} characters, moved back
 * so that it splits no Latin word and no surrogate pair (a word cut in two would match
 * as a whole word in the head alone).
 */
function headEnd(body: string): number {
  if (body.length <= HEAD_CHARS) return body.length;
  let cut = HEAD_CHARS;
  while (cut > 0 && (isWordChar(body.charCodeAt(cut - 1)) || (body.charCodeAt(cut) & 0xfc00) === 0xdc00)) cut--;
  return cut;
}

/** Document order of a static build: newest first, then by id (document numbers follow it). */
export function comparePosts(a: Post, b: Post): number {
  return (b.date ?? '').localeCompare(a.date ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Path of a document's record inside the output folder. */
export function docPath(doc: number): string {
  return `d/${Math.floor(doc / DOC_GROUP)}/${doc % DOC_GROUP}.bin`;
}

/** Index terms of normalized text with their counts: CJK bigrams and Latin words (plurals folded). */
export function termCounts(text: string): Map<string, number> {
  const keys = new Map<number, number>();
  countBigrams(text, 1, keys);
  const out = new Map<string, number>();
  for (const [k, n] of keys) out.set(bigramText(k), n);
  for (const run of runs(text)) {
    if (run.kind !== 'word') continue;
    const w = foldPlural(run.text);
    out.set(w, (out.get(w) ?? 0) + 1);
  }
  return out;
}

/**
 * One shard: term count, then per term its UTF-8 text, document frequency and byte
 * length of its postings; then the postings (document delta, value) in term order.
 */
function encodeShard(list: string[], terms: Map<string, Postings>): Uint8Array {
  list.sort();
  const head = new ByteWriter();
  const body = new ByteWriter();
  head.varint(list.length);
  for (const term of list) {
    const p = terms.get(term)!;
    const start = body.length;
    let prev = -1;
    for (let i = 0; i < p.docs.length; i++) {
      body.varint(p.docs[i] - prev - 1);
      body.varint(p.vals[i]);
      prev = p.docs[i];
    }
    head.string(term);
    head.varint(p.docs.length);
    head.varint(body.length - start);
  }
  head.bytes(body.result());
  return head.result();
}

function autoShards(postings: number): number {
  const want = (postings * 2.2) / SHARD_TARGET_BYTES;
  let s = 16;
  while (s < want && s < 16384) s *= 2;
  return s;
}

/** Only http(s) links are kept: a `javascript:` source must never become a link. */
function safeUrl(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

async function readPosts(corpus: string): Promise<{ posts: Post[]; skipped: Array<{ id: string; reason: string }> }> {
  const { files, problems } = await walkCorpus(corpus);
  const skipped = problems.map((p) => ({ id: p.path, reason: p.reason }));
  const posts: Post[] = [];
  for (const f of files) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(f.path);
    } catch (err) {
      skipped.push({ id: f.id, reason: (err as Error).message });
      continue;
    }
    const text = decodePost(bytes);
    if (!text.ok) {
      skipped.push({ id: f.id, reason: text.reason });
      continue;
    }
    const parsed = parsePost(f.id, text.text);
    if (parsed.ok) posts.push(parsed.post);
    else skipped.push({ id: f.id, reason: parsed.reason });
  }
  return { posts, skipped };
}

async function inBatches(n: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i += width) {
    const batch: Array<Promise<void>> = [];
    for (let k = i; k < Math.min(n, i + width); k++) batch.push(job(k));
    await Promise.all(batch);
  }
}

/** src/static/assets: next to this module in the source tree; compiled code (dist/src/static) reads them from the source tree. */
function assetsDir(): string {
  const here = join(__dirname, 'assets');
  return existsSync(join(here, 'zhsearch.js')) ? here : resolve(__dirname, '..', '..', '..', 'src', 'static', 'assets');
}
