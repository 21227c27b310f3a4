import { normalize } from '../analysis/normalize';
import type { Post } from '../ingest/post';
import { CompactText, diffUnits } from './doctext';

/**
 * Text encodings of the document store and vocabulary. Rows are positional arrays,
 * not objects, to keep the files small and JSON.parse fast.
 *
 * A document row stores the body in its normalized form (what queries search) plus the
 * few code units where the display text differs, so that loading an index neither
 * normalizes 30 M characters again nor holds both forms of the text at once.
 */

/**
 * How the display text is rebuilt from the normalized text: null when they are equal;
 * [gaps, units] when they differ at some offsets (each gap is the distance from the
 * previous offset + 1, units are the display's code units there); the display text
 * itself when the two do not align (never with a length-preserving normalization).
 */
type TextDiff = null | [number[], string] | string;

type DocRow = [string, string, string | null, string | null, string | null, string[], string[], string, TextDiff];

/** A decoded document: its fields, its normalized body and its display body. */
export interface StoredDoc {
  post: Omit<Post, 'text'>;
  /** The body as queries see it (normalized). */
  ntext: string;
  /** The body as shown: the normalized string itself, a compact form, or a string. */
  display: CompactText | string;
}

/**
 * Document files hold their JSON as UTF-16LE, not UTF-8: mostly-Chinese text is a third
 * smaller that way before compression, and decoding it into a JS string is a copy
 * instead of a transcoding (the largest single cost of opening an index was UTF-8
 * decoding of the document files).
 */
export const DOCS_ENCODING = 'utf16le';

/** Encode one shard's posts (in local-number order) as the bytes of its document file. */
export function encodeDocsBytes(posts: readonly Post[], ntexts?: readonly string[]): Buffer {
  return Buffer.from(encodeDocs(posts, ntexts), DOCS_ENCODING);
}

/** Decode the bytes of a document file ({@link encodeDocsBytes}). */
export function decodeDocsBytes(bytes: Buffer, file: string): StoredDoc[] {
  return decodeDocs(bytes.toString(DOCS_ENCODING), file);
}

/** Encode one shard's posts (in local-number order) as JSON; `ntexts`: their normalized bodies, if known. */
function encodeDocs(posts: readonly Post[], ntexts?: readonly string[]): string {
  const rows: DocRow[] = posts.map((p, i) => {
    const ntext = ntexts?.[i] ?? normalize(p.text);
    const d = diffUnits(p.text, ntext);
    let diff: TextDiff;
    if (!d) diff = p.text;
    else if (d.at.length === 0) diff = null;
    else diff = [d.at.map((x, k) => (k === 0 ? x : x - d.at[k - 1] - 1)), d.units];
    return [p.id, p.title, p.date, p.author, p.url, p.tags, p.categories, ntext, diff];
  });
  return JSON.stringify(rows);
}

/** Decode {@link encodeDocs} output; `file` names the source in error messages. */
function decodeDocs(json: string, file: string): StoredDoc[] {
  const rows = JSON.parse(json) as unknown;
  if (!Array.isArray(rows)) throw new Error(`${file}: not a document list`);
  return rows.map((r: unknown, i: number) => {
    if (!Array.isArray(r) || r.length !== 9 || typeof r[0] !== 'string' || typeof r[7] !== 'string') {
      throw new Error(`${file}: document ${i} is malformed`);
    }
    const row = r as DocRow;
    const ntext = row[7];
    return {
      post: { id: row[0], title: row[1], date: row[2], author: row[3], url: row[4], tags: row[5], categories: row[6] },
      ntext,
      display: decodeDiff(ntext, row[8], `${file}: document ${i}`),
    };
  });
}

function decodeDiff(ntext: string, diff: unknown, where: string): CompactText | string {
  if (diff === null) return ntext;
  if (typeof diff === 'string') return diff;
  if (Array.isArray(diff) && diff.length === 2 && Array.isArray(diff[0]) && typeof diff[1] === 'string') {
    const gaps = diff[0] as unknown[];
    const at = new Uint32Array(gaps.length);
    let pos = -1;
    for (let k = 0; k < gaps.length; k++) {
      const g = gaps[k];
      if (typeof g !== 'number' || !Number.isInteger(g) || g < 0) throw new Error(`${where}: bad text difference`);
      pos += g + 1;
      at[k] = pos;
    }
    try {
      return CompactText.fromParts(ntext, at, diff[1]);
    } catch (err) {
      throw new Error(`${where}: bad text difference: ${(err as Error).message}`);
    }
  }
  throw new Error(`${where}: bad text difference`);
}

/** A decoded document as a {@link Post} (the display body read on demand when compact). */
export function storedPost(doc: StoredDoc): Post {
  const { display } = doc;
  if (typeof display === 'string') return { ...doc.post, text: display };
  return Object.defineProperty({ ...doc.post }, 'text', { get: () => display.toString(), enumerable: true }) as Post;
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
