import Database from 'better-sqlite3';
import MiniSearch, { type Options } from 'minisearch';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getSegmenter, normalize, type Post } from '../../src';
import { walkCorpus } from '../../src/ingest/walk';
import { isToken } from '../bench/child';
import { buildFts5 } from '../bench/fts5-build';

/**
 * The baselines of the judged evaluation, with OR semantics as a plain search box would
 * have them: the query is cut by jieba (precise mode, normalized as zhsearch normalizes),
 * every token becomes an optional term, and documents are ranked by BM25 with the title
 * weighted 4. Indexing is the bench's (jieba search-mode tokens of title and body); only
 * the query side differs from the bench's AND children, which stay as they are.
 * Built indexes are cached per corpus fingerprint, so a second run only opens them.
 */

/** A ranked-list producer: the top `k` document ids for a query as typed. */
export interface Ranker {
  /** Stable key used in runs files. */
  key: string;
  /** Name printed in tables. */
  label: string;
  top(query: string, k: number): string[];
}

const FTS_FILE = 'fts5-jieba.db';
const MINI_FILE = 'minisearch.json';

/** The distinct jieba tokens of a query, as the baselines search them. */
export function queryTokens(query: string): string[] {
  return [...new Set(getSegmenter().cut(normalize(query)).filter(isToken))];
}

/** A short hash of the corpus file list (ids, sizes, modification times): the cache key. */
export async function corpusFingerprint(corpus: string): Promise<string> {
  const { files } = await walkCorpus(corpus);
  const h = createHash('sha256').update(resolve(corpus));
  for (const f of files) h.update(`${f.id}\0${f.size}\0${Math.round(f.mtimeMs)}\n`);
  return h.digest('hex').slice(0, 16);
}

interface MiniDoc {
  id: string;
  title: string;
  body: string;
}

function miniOptions(): Options<MiniDoc> {
  const seg = getSegmenter();
  return {
    fields: ['title', 'body'],
    tokenize: (text) => seg.cutForSearch(normalize(text)).filter(isToken),
    processTerm: (term) => term,
  };
}

/**
 * Open (building first when not cached) both baselines over `corpus`, caching under
 * `cacheDir/<fingerprint>/`. `posts` are the corpus's parsed posts, read once by the caller.
 */
export async function openBaselines(
  corpus: string,
  posts: readonly Post[],
  cacheDir: string,
  log: (msg: string) => void,
): Promise<Ranker[]> {
  const dir = join(cacheDir, await corpusFingerprint(corpus));
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, FTS_FILE))) {
    log(`building the FTS5 + jieba baseline in ${dir} …`);
    // Built into a scratch folder and renamed, so an interrupted build is never taken for a cached one.
    const tmp = join(dir, `fts-build-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    await buildFts5(corpus, tmp, FTS_FILE, 'unicode61', () => {
      const seg = getSegmenter();
      return (s) => seg.cutForSearch(normalize(s)).filter(isToken).join(' ');
    });
    renameSync(join(tmp, FTS_FILE), join(dir, FTS_FILE));
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!existsSync(join(dir, MINI_FILE))) {
    log(`building the MiniSearch + jieba baseline in ${dir} …`);
    const index = new MiniSearch<MiniDoc>(miniOptions());
    for (const p of posts) index.add({ id: p.id, title: p.title, body: p.text });
    const tmp = join(dir, `${MINI_FILE}.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(index));
    renameSync(tmp, join(dir, MINI_FILE));
  }
  return [openFts5(join(dir, FTS_FILE)), openMini(join(dir, MINI_FILE))];
}

function openFts5(file: string): Ranker {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const top = db.prepare(
    `SELECT d.id FROM fts JOIN docs d ON d.rowid = fts.rowid
     WHERE fts MATCH ? AND rank MATCH 'bm25(4.0, 1.0)' ORDER BY rank LIMIT ?`,
  );
  return {
    key: 'fts5-or',
    label: 'FTS5 + jieba, OR, bm25',
    top: (query, k) => {
      const tokens = queryTokens(query);
      if (tokens.length === 0) return [];
      const expr = tokens.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
      return top.pluck().all(expr, k) as string[];
    },
  };
}

function openMini(file: string): Ranker {
  const opts = miniOptions();
  const index = MiniSearch.loadJSON<MiniDoc>(readFileSync(file, 'utf8'), opts);
  return {
    key: 'minisearch-or',
    label: 'MiniSearch + jieba, OR',
    top: (query, k) => {
      const tokens = queryTokens(query);
      if (tokens.length === 0) return [];
      const hits = index.search(tokens.join(' '), { combineWith: 'OR', boost: { title: 4 }, tokenize: (s) => s.split(' ') });
      return hits.slice(0, k).map((h) => String(h.id));
    },
  };
}
