import { createHash } from 'node:crypto';
import { normalize } from '../../src';
import { queryTokens } from './baselines';

/**
 * What a judge sees of a pooled post, and in which order: nothing that tells which
 * engine returned it.
 */

/**
 * The pooled ids of one query in a fixed order that depends only on the query id and the
 * doc ids (a hash), not on which engine returned them or at what rank.
 */
export function blindOrder(queryId: string, docIds: Iterable<string>): string[] {
  const key = (d: string): string => createHash('sha256').update(`${queryId}\0${d}`).digest('hex');
  return [...new Set(docIds)]
    .map((d) => [key(d), d] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, d]) => d);
}

/** Text on one line: runs of whitespace (paragraph breaks included) become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The first `chars` characters of a post's text, on one line, with an ellipsis when cut. */
export function opening(text: string, chars = 250): string {
  const t = oneLine(text);
  return t.length > chars ? `${t.slice(0, chars)}…` : t;
}

/** Query words worth showing in context: jieba tokens of two or more characters, longest first (one-character ones only when nothing longer). */
export function contextTerms(query: string): string[] {
  const tokens = queryTokens(query);
  const long = tokens.filter((t) => [...t].length >= 2);
  return (long.length > 0 ? long : tokens).sort((a, b) => b.length - a.length);
}

/**
 * Up to `max` keyword-in-context windows (`width` characters either side) around query
 * words in `text`, each word marked 【…】. Matching is on normalized text (same length as
 * the text, so offsets carry over), so traditional or full-width query words find the text
 * as written. Windows come from different words where possible, never overlap, and
 * prefer text after the first `skip` characters (the opening a judge already sees).
 */
export function keywordsInContext(text: string, query: string, max = 2, width = 40, skip = 250): string[] {
  const flat = oneLine(text);
  const norm = normalize(flat);
  const terms = contextTerms(query).map((t) => normalize(t));
  const taken: Array<[number, number]> = [];
  const windows: string[] = [];
  const free = (s: number, e: number): boolean => taken.every(([a, b]) => e <= a || s >= b);
  const find = (term: string, from: number): number => {
    let at = norm.indexOf(term, from);
    while (at >= 0 && !free(Math.max(0, at - width), at + term.length + width)) at = norm.indexOf(term, at + 1);
    return at;
  };
  // First pass: one window per word; the second lets a word give a further window.
  for (let pass = 0; pass < 2 && windows.length < max; pass++) {
    for (const term of terms) {
      if (windows.length >= max) break;
      // Occurrences past the opening come first: the opening is already shown.
      let at = find(term, skip);
      if (at < 0) at = find(term, 0);
      if (at < 0) continue;
      const s = Math.max(0, at - width);
      const e = Math.min(flat.length, at + term.length + width);
      taken.push([s, e]);
      windows.push(
        `${s > 0 ? '…' : ''}${flat.slice(s, at)}【${flat.slice(at, at + term.length)}】${flat.slice(at + term.length, e)}${e < flat.length ? '…' : ''}`,
      );
    }
  }
  return windows;
}
