import { normalize } from '../../src/analysis/normalize';
import type { Segmenter } from '../../src/analysis/segmenter';
import { STOP_WORDS } from '../../src/analysis/stopwords';
import { allCjk, foldPlural, runs } from '../../src/analysis/terms';
import type { Post } from '../../src/ingest/post';
import { pick, rng } from './random';

/**
 * The evaluation query set and its ground truth, shared by `npm run eval` and the
 * benchmark so every engine is judged on the same questions.
 *
 * - word queries: 2–4 character Chinese words cut by jieba from random paragraphs;
 * - AND queries: two such words from the same document;
 * - Latin queries: Latin words of 3+ letters from random documents;
 * - known-item queries: the 2–3 rarest words of a random title; the target is that post, or
 *   any post republished under the same title (see {@link KnownItem.targets}).
 *
 * Ground truth: a document matches when its normalized title or body contains every
 * Chinese query word as a substring, and every Latin word as a whole word (plurals folded:
 * sanctions = sanction).
 */
export interface EvalQuery {
  kind: 'word' | 'and' | 'latin';
  words: string[];
}

export interface KnownItem {
  words: string[];
  /**
   * Every right answer: first the post whose title the words were drawn from, then its
   * twins, the posts whose titles have the same Han characters. The archive republishes articles under their title (with a " - iYouPort"
   * suffix, an emoji or other punctuation); no query can tell such copies apart, so a
   * ranking that puts either copy first has found the article.
   */
  targets: string[];
}

/** Rank (0-based) of the first right answer of a known item in `ids`, or -1. */
export function knownItemRank(ids: readonly string[], item: KnownItem): number {
  return ids.findIndex((id) => item.targets.includes(id));
}

export interface QuerySet {
  queries: EvalQuery[];
  knownItems: KnownItem[];
}

export interface QuerySetSizes {
  words: number;
  ands: number;
  latin: number;
  knownItems: number;
}

export const DEFAULT_SIZES: QuerySetSizes = { words: 200, ands: 100, latin: 30, knownItems: 100 };

/** Normalized searchable text of a post (title and body, separated so no match spans them). */
export function docText(p: Post): string {
  return normalize(p.title) + '\n' + normalize(p.text);
}

/** Generate the query set from the corpus with a fixed seed. */
export function makeQuerySet(posts: readonly Post[], segmenter: Segmenter, seed: number, sizes: QuerySetSizes = DEFAULT_SIZES): QuerySet {
  const rand = rng(seed);
  const withText = posts.filter((p) => p.text.length > 200);
  const wordsOf = (p: Post): string[] => {
    const paras = p.text.split('\n').filter((x) => x.length > 20);
    const para = normalize(paras.length > 0 ? pick(rand, paras) : p.text).slice(0, 400);
    return segmenter.cut(para).filter((w) => w.length >= 2 && w.length <= 4 && allCjk(w) && !STOP_WORDS.has(w));
  };
  const queries: EvalQuery[] = [];
  const seen = new Set<string>();
  const add = (q: EvalQuery): void => {
    const key = q.words.join(' ');
    if (!seen.has(key)) {
      seen.add(key);
      queries.push(q);
    }
  };
  for (let guard = 0; queries.length < sizes.words && guard < sizes.words * 50; guard++) {
    const ws = wordsOf(pick(rand, withText));
    if (ws.length > 0) add({ kind: 'word', words: [pick(rand, ws)] });
  }
  const target = sizes.words + sizes.ands;
  for (let guard = 0; queries.length < target && guard < sizes.ands * 50; guard++) {
    const ws = [...new Set(wordsOf(pick(rand, withText)))];
    if (ws.length < 2) continue;
    const a = pick(rand, ws);
    const b = pick(
      rand,
      ws.filter((w) => w !== a && !w.includes(a) && !a.includes(w)),
    );
    if (b) add({ kind: 'and', words: [a, b] });
  }
  const latinTarget = target + sizes.latin;
  for (let guard = 0; queries.length < latinTarget && guard < sizes.latin * 200; guard++) {
    const p = pick(rand, withText);
    const latin = runs(normalize(p.text)).filter(
      (r) => r.kind === 'word' && r.text.length >= 3 && /^[a-z]+$/.test(r.text) && !STOP_WORDS.has(r.text),
    );
    if (latin.length > 0) add({ kind: 'latin', words: [pick(rand, latin).text] });
  }

  // Known items: the rarest title words, so the query singles out its article as a reader would.
  const df = documentFrequencies(posts, segmenter);
  const byHanTitle = new Map<string, string[]>();
  for (const p of posts) {
    const key = hanOnly(p.title);
    if (key.length === 0) continue;
    const ids = byHanTitle.get(key);
    if (ids) ids.push(p.id);
    else byHanTitle.set(key, [p.id]);
  }
  const knownItems: KnownItem[] = [];
  for (let guard = 0; knownItems.length < sizes.knownItems && guard < sizes.knownItems * 50; guard++) {
    const p = pick(rand, withText);
    const words = [...new Set(segmenter.cut(normalize(p.title)))].filter((w) => w.length >= 2 && allCjk(w) && !STOP_WORDS.has(w));
    if (words.length < 2) continue;
    words.sort((x, y) => (df.get(x) ?? 0) - (df.get(y) ?? 0));
    const n = Math.min(words.length, 2 + Math.floor(rand() * 2));
    const twins = (byHanTitle.get(hanOnly(p.title)) ?? []).filter((id) => id !== p.id);
    knownItems.push({ words: words.slice(0, n), targets: [p.id, ...twins] });
  }
  return { queries, knownItems };
}

/** The Han characters of a title, in order: what stays the same when it is republished. */
function hanOnly(title: string): string {
  return (normalize(title).match(/\p{Script=Han}/gu) ?? []).join('');
}

function documentFrequencies(posts: readonly Post[], segmenter: Segmenter): Map<string, number> {
  const titleWords = new Set<string>();
  for (const p of posts) for (const w of segmenter.cut(normalize(p.title))) if (w.length >= 2 && allCjk(w)) titleWords.add(w);
  const texts = posts.map(docText);
  const df = new Map<string, number>();
  for (const w of titleWords) {
    let n = 0;
    for (const t of texts) if (t.includes(w)) n++;
    df.set(w, n);
  }
  return df;
}

/** Ids of the documents that truly match a query (see the module comment). */
export class GroundTruth {
  private readonly texts: string[];
  private readonly latin: Array<Set<string>>;
  private readonly cache = new Map<string, Set<number>>();

  constructor(private readonly posts: readonly Post[]) {
    this.texts = posts.map(docText);
    this.latin = this.texts.map(
      (t) =>
        new Set(
          runs(t)
            .filter((r) => r.kind === 'word')
            .map((r) => foldPlural(r.text)),
        ),
    );
  }

  /** The ids matching every word. */
  ids(words: readonly string[]): Set<string> {
    let acc: number[] | null = null;
    for (const w of words) {
      const s = this.word(w);
      acc = acc === null ? [...s] : acc.filter((d) => s.has(d));
    }
    return new Set((acc ?? []).map((d) => this.posts[d].id));
  }

  private word(w: string): Set<number> {
    const hit = this.cache.get(w);
    if (hit) return hit;
    const out = new Set<number>();
    const latin = /^[a-z0-9]+$/.test(w);
    const singular = foldPlural(w);
    for (let d = 0; d < this.texts.length; d++) if (latin ? this.latin[d].has(singular) : this.texts[d].includes(w)) out.add(d);
    this.cache.set(w, out);
    return out;
  }
}
