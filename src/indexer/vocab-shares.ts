import { resolve } from 'node:path';
import { decodeVocab } from '../format/codec';

/**
 * The merged vocabulary across incremental builds: the previous version's vocabulary
 * minus the shares of the shards a build replaces, and, within one process (watch mode),
 * the vocabulary a build just wrote, kept so that the next build need not decode it again.
 */

/** The vocabulary last written into a version folder, by folder (a few at most). */
const written = new Map<string, Map<string, number>>();
const WRITTEN_KEPT = 4;

/** Keep the vocabulary just written into version folder `dir` for the next incremental build. */
export function rememberVocab(dir: string, vocab: Map<string, number>): void {
  written.set(resolve(dir), vocab);
  for (const old of written.keys()) if (written.size > WRITTEN_KEPT) written.delete(old);
}

/** The vocabulary remembered for version folder `dir`, taken (not shared: the build changes it), or null. */
export function takeRemembered(dir: string): Map<string, number> | null {
  const key = resolve(dir);
  const vocab = written.get(key) ?? null;
  written.delete(key);
  return vocab;
}

/** A vocabulary file's content (see encodeVocab) as a word → document frequency map; `file` names it in errors. */
export function vocabMap(json: string, file: string): Map<string, number> {
  const { words, dfs } = decodeVocab(json, file);
  const map = new Map<string, number>();
  words.forEach((w, i) => map.set(w, dfs[i]));
  return map;
}

/** Take a shard's vocabulary share (JSON) out of `vocab`. */
export function subtractShare(vocab: Map<string, number>, share: string): void {
  const { words, dfs } = decodeVocab(share, 'a shard vocabulary');
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const left = (vocab.get(w) ?? 0) - dfs[i];
    if (left > 0) vocab.set(w, left);
    else vocab.delete(w);
  }
}
