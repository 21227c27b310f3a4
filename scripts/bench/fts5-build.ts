import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dirSize, maxRssKB } from './child';
import { readCorpus } from './corpus';
import type { BuildResult } from './protocol';

/**
 * Build an SQLite FTS5 table (title, body) with the given tokenizer over the corpus;
 * `prepare` turns a title or body into the text stored (made once the corpus is read,
 * so that its set-up, e.g. loading jieba, counts in the build time).
 */
export async function buildFts5(
  corpus: string,
  out: string,
  dbFile: string,
  tokenize: string,
  makePrepare: () => (text: string) => string,
): Promise<BuildResult> {
  const t0 = performance.now();
  const { posts, skipped } = await readCorpus(corpus);
  const parseMs = performance.now() - t0;
  const prepare = makePrepare();
  mkdirSync(out, { recursive: true });
  const db = new Database(join(out, dbFile));
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL);
           CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='${tokenize}');`);
  const addDoc = db.prepare('INSERT INTO docs(rowid, id) VALUES (?, ?)');
  const addFts = db.prepare('INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)');
  db.transaction(() => {
    posts.forEach((p, i) => {
      addDoc.run(i + 1, p.id);
      addFts.run(i + 1, prepare(p.title), prepare(p.text));
    });
  })();
  db.exec("INSERT INTO fts(fts) VALUES ('optimize')");
  db.close();
  const ms = performance.now() - t0;
  return { docs: posts.length, ms, parseMs, bytes: dirSize(out), maxRssKB: maxRssKB(), skipped };
}
