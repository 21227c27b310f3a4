import type { PostMeta } from '../ingest/post';

/**
 * Text encodings of the document store and vocabulary. Rows are positional arrays,
 * not objects, to keep the files small and JSON.parse fast.
 *
 * The document file of a shard holds each post's metadata, which stays in memory
 * (filters and facets read it for every match); the bodies live in the shard's text
 * file and are read on demand (src/segment/text-file.ts).
 */

type DocRow = [string, string, string | null, string | null, string | null, string[], string[]];

/**
 * Document files hold their JSON as UTF-16LE, not UTF-8: mostly-Chinese titles are a third
 * smaller that way before compression, and decoding into a JS string is a copy instead
 * of a transcoding.
 */
export const DOCS_ENCODING = 'utf16le';

/** Encode one shard's posts' metadata (in local-number order) as the bytes of its document file. */
export function encodeDocsBytes(posts: readonly PostMeta[]): Buffer {
  const rows: DocRow[] = posts.map((p) => [p.id, p.title, p.date, p.author, p.url, p.tags, p.categories]);
  return Buffer.from(JSON.stringify(rows), DOCS_ENCODING);
}

/** Decode the bytes of a document file ({@link encodeDocsBytes}); `file` names it in errors. */
export function decodeDocsBytes(bytes: Buffer, file: string): PostMeta[] {
  const rows = JSON.parse(bytes.toString(DOCS_ENCODING)) as unknown;
  if (!Array.isArray(rows)) throw new Error(`${file}: not a document list`);
  return rows.map((r: unknown, i: number) => {
    if (!Array.isArray(r) || r.length !== 7 || typeof r[0] !== 'string' || typeof r[1] !== 'string') {
      throw new Error(`${file}: document ${i} is malformed`);
    }
    const row = r as DocRow;
    return { id: row[0], title: row[1], date: row[2], author: row[3], url: row[4], tags: row[5], categories: row[6] };
  });
}

/** The vocabulary as two columns: words and their document frequencies, index for index. */
export interface VocabColumns {
  words: string[];
  dfs: Uint32Array;
}

/**
 * Encode the suggestion vocabulary: word → document frequency, sorted by word (by UTF-16
 * code units, as suggestions expect) unless `sorted` is false (a shard's share, which is
 * only summed up). Stored as columns, `{"words": "w1\nw2…", "dfs": [n1, n2, …]}`: an
 * index opens faster from one string and one number array than from a pair per word.
 */
export function encodeVocab(vocab: Map<string, number>, sorted = true): string {
  // The default sort compares strings by code units, and faster than a comparator.
  const words = sorted ? [...vocab.keys()].sort() : [...vocab.keys()];
  for (const w of words) if (w.includes('\n')) throw new Error(`vocabulary word ${JSON.stringify(w)} holds a line break`);
  return JSON.stringify({ words: words.join('\n'), dfs: words.map((w) => vocab.get(w)) });
}

/** Decode {@link encodeVocab} output; `file` names it in errors. */
export function decodeVocab(json: string, file = 'vocabulary'): VocabColumns {
  const v = JSON.parse(json) as { words?: unknown; dfs?: unknown };
  if (typeof v?.words !== 'string' || !Array.isArray(v.dfs)) throw new Error(`${file} is malformed: rebuild the index`);
  const words = v.words === '' ? [] : v.words.split('\n');
  if (words.length !== v.dfs.length)
    throw new Error(`${file} is malformed: ${words.length} words, ${v.dfs.length} frequencies; rebuild the index`);
  return { words, dfs: Uint32Array.from(v.dfs as number[]) };
}
