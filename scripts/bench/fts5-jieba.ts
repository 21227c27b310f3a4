import Database from 'better-sqlite3';
import { join } from 'node:path';
import { getSegmenter, normalize } from '../../src';
import { childMain, isToken, runQueryPhase } from './child';
import { buildFts5 } from './fts5-build';
import type { BuildResult } from './protocol';

/**
 * Baseline: SQLite FTS5 (unicode61 tokenizer) over jieba search-mode words. Title and
 * body hold the space-joined cutForSearch tokens of the normalized text; a query word is
 * cut (precise mode) the same way and searched as a phrase, all words ANDed, ranked by
 * bm25 with title weight 4.
 *   build RESULT CORPUS INDEX_DIR
 *   query RESULT INDEX_DIR QUERIES
 */
const DB_FILE = 'fts5-jieba.db';

childMain({
  build: ([corpus, out]): Promise<BuildResult> =>
    buildFts5(corpus, out, DB_FILE, 'unicode61', () => {
      const seg = getSegmenter();
      return (s) => seg.cutForSearch(normalize(s)).filter(isToken).join(' ');
    }),
  query: ([indexDir, queries]) =>
    runQueryPhase(queries, () => {
      const db = new Database(join(indexDir, DB_FILE), { readonly: true, fileMustExist: true });
      const seg = getSegmenter();
      const all = db.prepare('SELECT d.id FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?').pluck();
      // "ORDER BY rank" with rank = bm25(4, 1) is FTS5's sorted fast path: snippets are
      // computed for the 10 rows returned only (ORDER BY bm25(fts, 4, 1) would compute
      // them for every match before sorting). Same ranking.
      const top = db.prepare(
        `SELECT rowid, highlight(fts, 0, '<mark>', '</mark>') AS title, snippet(fts, 1, '<mark>', '</mark>', '…', 24) AS snippet
         FROM fts WHERE fts MATCH ? AND rank MATCH 'bm25(4.0, 1.0)' ORDER BY rank LIMIT 10`,
      );
      // A results page shows the number of matches (zhsearch answers it, with facets, for every query).
      const count = db.prepare('SELECT count(*) FROM fts WHERE fts MATCH ?').pluck();
      const idOf = db.prepare('SELECT id FROM docs WHERE rowid = ?').pluck();
      const expr = (words: string[]): string | null => {
        const phrases = words
          .map((w) => seg.cut(normalize(w)).filter(isToken))
          .filter((ts) => ts.length > 0)
          .map((ts) => `"${ts.join(' ').replace(/"/g, '""')}"`);
        return phrases.length > 0 ? phrases.join(' AND ') : null;
      };
      return {
        answer: 'top 10 by bm25(4,1) with highlight() title and snippet() body, and the number of matches',
        matchIds: (words) => {
          const e = expr(words);
          return e === null ? [] : (all.all(e) as string[]);
        },
        top10: (words) => {
          const e = expr(words);
          if (e === null) return [];
          const rows = top.all(e) as Array<{ rowid: number; title: string; snippet: string }>;
          count.get(e);
          return rows.map((r) => idOf.get(r.rowid) as string);
        },
      };
    }),
});
