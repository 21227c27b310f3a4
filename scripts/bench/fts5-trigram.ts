import Database from 'better-sqlite3';
import { join } from 'node:path';
import { normalize } from '../../src';
import { childMain, runQueryPhase } from './child';
import { buildFts5 } from './fts5-build';
import type { BuildResult } from './protocol';

/**
 * Baseline: SQLite FTS5 trigram tokenizer over the normalized title and body. Query
 * words of 3+ characters go through MATCH (quoted: substring semantics); 1–2 character
 * words, which trigrams cannot index, through LIKE '%w%' on the columns (a scan); all
 * words ANDed. Ranked by bm25(4, 1) when MATCH is used, else by rowid.
 *   build RESULT CORPUS INDEX_DIR
 *   query RESULT INDEX_DIR QUERIES
 */
const DB_FILE = 'fts5-trigram.db';

childMain({
  build: ([corpus, out]): Promise<BuildResult> => buildFts5(corpus, out, DB_FILE, 'trigram', () => normalize),
  query: ([indexDir, queries]) =>
    runQueryPhase(queries, () => {
      const db = new Database(join(indexDir, DB_FILE), { readonly: true, fileMustExist: true });
      const idOf = db.prepare('SELECT id FROM docs WHERE rowid = ?').pluck();
      const cache = new Map<string, Database.Statement>();
      const stmt = (key: string, sql: () => string): Database.Statement => {
        let s = cache.get(key);
        if (!s) cache.set(key, (s = db.prepare(sql())));
        return s;
      };
      const like = (n: number): string =>
        Array.from({ length: n }, () => " AND (title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')").join('');
      const split = (words: string[]): { match: string | null; likes: string[]; first: string } => {
        const ws = words.map(normalize).filter((w) => w.trim() !== '');
        const long = ws.filter((w) => [...w].length >= 3);
        const short = ws.filter((w) => [...w].length < 3);
        return {
          match: long.length > 0 ? long.map((w) => `"${w.replace(/"/g, '""')}"`).join(' AND ') : null,
          likes: short.flatMap((w) => {
            const p = `%${w.replace(/[\\%_]/g, '\\$&')}%`;
            return [p, p];
          }),
          first: ws[0] ?? '',
        };
      };
      return {
        answer:
          'top 10 by bm25(4,1) with highlight()/snippet(); LIKE-only: first 10 by rowid with a substr() snippet; and the number of matches',
        matchIds: (words) => {
          const q = split(words);
          if (q.match === null && q.likes.length === 0) return [];
          const n = q.likes.length / 2;
          const s = stmt(`all:${q.match !== null}:${n}`, () =>
            q.match !== null
              ? `SELECT d.id FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?${like(n)}`
              : `SELECT d.id FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE 1${like(n)}`,
          ).pluck();
          return s.all(...(q.match !== null ? [q.match, ...q.likes] : q.likes)) as string[];
        },
        top10: (words) => {
          const q = split(words);
          if (q.match === null && q.likes.length === 0) return [];
          const n = q.likes.length / 2;
          let rows: Array<{ rowid: number }>;
          if (q.match !== null) {
            const s = stmt(
              `top:match:${n}`,
              () => `SELECT rowid, highlight(fts, 0, '<mark>', '</mark>') AS title, snippet(fts, 1, '<mark>', '</mark>', '…', 24) AS snippet
                     FROM fts WHERE fts MATCH ? AND rank MATCH 'bm25(4.0, 1.0)'${like(n)} ORDER BY rank LIMIT 10`,
            );
            rows = s.all(q.match, ...q.likes) as Array<{ rowid: number }>;
          } else {
            const s = stmt(
              `top:like:${n}`,
              () => `SELECT rowid, title, substr(body, max(1, instr(body, ?) - 40), 100) AS snippet
                     FROM fts WHERE 1${like(n)} ORDER BY rowid LIMIT 10`,
            );
            rows = s.all(q.first, ...q.likes) as Array<{ rowid: number }>;
          }
          // A results page shows the number of matches (zhsearch answers it, with facets, for
          // every query): for LIKE words that is a scan of every row, where LIMIT 10 stopped early.
          const c = stmt(`count:${q.match !== null}:${n}`, () =>
            q.match !== null ? `SELECT count(*) FROM fts WHERE fts MATCH ?${like(n)}` : `SELECT count(*) FROM fts WHERE 1${like(n)}`,
          ).pluck();
          c.get(...(q.match !== null ? [q.match, ...q.likes] : q.likes));
          return rows.map((r) => idOf.get(r.rowid) as string);
        },
      };
    }),
});
