import type { Post } from '../ingest/post';

/**
 * Text encodings of the document store and vocabulary. Rows are positional arrays,
 * not objects, to keep the files small and JSON.parse fast.
 */

type DocRow = [string, string, string | null, string | null, string | null, string[], string[], string];

/** Encode one shard's posts (in local-number order). */
export function encodeDocs(posts: readonly Post[]): string {
  const rows: DocRow[] = posts.map((p) => [p.id, p.title, p.date, p.author, p.url, p.tags, p.categories, p.text]);
  return JSON.stringify(rows);
}

/** Decode {@link encodeDocs} output; `file` names the source in error messages. */
export function decodeDocs(json: string, file: string): Post[] {
  const rows = JSON.parse(json) as unknown;
  if (!Array.isArray(rows)) throw new Error(`${file}: not a document list`);
  return rows.map((r: unknown, i: number) => {
    if (!Array.isArray(r) || r.length !== 8 || typeof r[0] !== 'string' || typeof r[7] !== 'string') {
      throw new Error(`${file}: document ${i} is malformed`);
    }
    const row = r as DocRow;
    return { id: row[0], title: row[1], date: row[2], author: row[3], url: row[4], tags: row[5], categories: row[6], text: row[7] };
  });
}

/**
 * Encode the suggestion vocabulary: word → document frequency, sorted by word (by UTF-16
 * code units, as suggestions expect) unless `sorted` is false (a shard's share, which is
 * only summed up).
 */
export function encodeVocab(vocab: Map<string, number>, sorted = true): string {
  if (!sorted) return JSON.stringify([...vocab.entries()]);
  // The default sort compares strings by code units, and faster than a comparator.
  const words = [...vocab.keys()].sort();
  return JSON.stringify(words.map((w) => [w, vocab.get(w)]));
}

/** Decode {@link encodeVocab} output. */
export function decodeVocab(json: string): Array<[string, number]> {
  return JSON.parse(json) as Array<[string, number]>;
}
