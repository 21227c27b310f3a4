// Over 300 lines: window choice, the pair search and HTML escaping of one snippet are one algorithm.
/**
 * Highlighted snippets. Offsets come from the normalized text, which has the same
 * length as the display text (see analysis/normalize), so marks land on exactly the
 * characters that matched. Everything outside `<mark>` is HTML-escaped: the corpus is
 * untrusted.
 */

import type { TextSource } from '../format/doctext';

/** Target snippet length in characters. */
export const SNIPPET_LENGTH = 120;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

interface Span {
  start: number;
  end: number;
  unit: number;
}

/** Occurrences kept per query unit: enough to choose windows, bounded for long texts. */
const MAX_OCCURRENCES_PER_UNIT = 200;

/**
 * Occurrences of each unit in `norm`, sorted by start. Each unit has its own cap, so a
 * frequent word cannot crowd a rarer one out of the list.
 */
function findSpans(norm: string, units: readonly string[], from = 0, to = norm.length): Span[] {
  const spans: Span[] = [];
  units.forEach((u, k) => {
    if (u === '') return;
    let n = 0;
    let p = norm.indexOf(u, from);
    while (p >= 0 && p + u.length <= to && n++ < MAX_OCCURRENCES_PER_UNIT) {
      spans.push({ start: p, end: p + u.length, unit: k });
      p = norm.indexOf(u, p + u.length);
    }
  });
  return spans.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** `display[from, to)` escaped, with the given spans wrapped in `<mark>` (overlaps merged). */
function markUp(display: TextSource, spans: readonly Span[], from: number, to: number): string {
  let out = '';
  let pos = from;
  let i = 0;
  while (i < spans.length && spans[i].end <= from) i++;
  while (i < spans.length && spans[i].start < to) {
    let start = Math.max(spans[i].start, from);
    let end = Math.min(spans[i].end, to);
    i++;
    while (i < spans.length && spans[i].start <= end) {
      end = Math.max(end, Math.min(spans[i].end, to));
      i++;
    }
    if (start < pos) start = pos;
    if (end <= start) continue;
    out += escapeHtml(display.slice(pos, start)) + '<mark>' + escapeHtml(display.slice(start, end)) + '</mark>';
    pos = end;
  }
  return out + escapeHtml(display.slice(pos, to));
}

/** The whole of a short text (a title) escaped, with every unit occurrence marked. */
export function highlightAll(display: string, norm: string, units: readonly string[]): string {
  return markUp(display, findSpans(norm, units), 0, display.length);
}

const SENTENCE_END = /[。！？；!?;\n]/;

/** A candidate window: the spans `first..last` (inclusive), starting at the first one. */
interface Window {
  first: number;
  last: number;
  /** Summed weight of the distinct units inside. */
  weight: number;
  /** Number of occurrences inside. */
  count: number;
  /** Bit k set when unit k occurs inside (units beyond 30 are not tracked). */
  mask: number;
}

/** Units tracked by window masks (the rest still count by weight in the single window). */
const MASK_UNITS = 30;

/**
 * Visit the window starting at each span that reaches at most `length` characters, in
 * one pass: the window's end only moves forward as its start does, and its weight,
 * count and unit mask are kept up to date as spans enter and leave.
 */
function scanWindows(
  spans: readonly Span[],
  weights: readonly number[],
  length: number,
  visit: (first: number, last: number, weight: number, count: number, mask: number) => void,
): void {
  const inside = new Int32Array(weights.length);
  let weight = 0;
  let count = 0;
  let mask = 0;
  const enter = (u: number): void => {
    if (inside[u]++ === 0) {
      weight += weights[u];
      if (u < MASK_UNITS) mask |= 1 << u;
    }
    count++;
  };
  let j = 0;
  for (let i = 0; i < spans.length; i++) {
    // The window always holds its first span, even one longer than `length`.
    if (j <= i) {
      enter(spans[i].unit);
      j = i + 1;
    }
    const limit = spans[i].start + length;
    while (j < spans.length && spans[j].end <= limit) enter(spans[j++].unit);
    visit(i, j - 1, weight, count, mask);
    const u = spans[i].unit;
    if (--inside[u] === 0) {
      weight -= weights[u];
      if (u < MASK_UNITS) mask &= ~(1 << u);
    }
    count--;
  }
}

/** The end of the last span in `first..last` that brings a unit in for the first time: the window must reach it. */
function mustEnd(spans: readonly Span[], w: Window): number {
  const seen = new Set<number>();
  let end = spans[w.first].end;
  for (let k = w.first; k <= w.last; k++) {
    if (seen.has(spans[k].unit)) continue;
    seen.add(spans[k].unit);
    if (spans[k].end > end) end = spans[k].end;
  }
  return end;
}

function better(a: Window, b: Window | null): boolean {
  return b === null || a.weight > b.weight + 1e-9 || (Math.abs(a.weight - b.weight) <= 1e-9 && a.count > b.count);
}

/** [start, end) of the text shown for a window, widened to sentence boundaries where they are close. */
function fragment(norm: string, at: number, mustEnd: number, length: number): [number, number] {
  // Begin at the start of the sentence holding the first match when it is near, but
  // never so early that the window's other matches fall out of it.
  const room = Math.max(0, length - (mustEnd - at));
  let start = Math.max(0, at - Math.min(15, room));
  let found = false;
  for (let p = at - 1; p >= Math.max(0, at - Math.min(40, room)); p--) {
    if (SENTENCE_END.test(norm[p])) {
      start = p + 1;
      found = true;
      break;
    }
  }
  if (!found && at <= Math.min(40, room)) start = 0;
  // Near the end of the text the window has room to spare: use it for what comes
  // before (from a sentence start), rather than cutting a text that would fit whole.
  if (start > 0 && norm.length - start < length) {
    const earliest = Math.max(0, norm.length - length);
    let moved = earliest === 0 ? 0 : -1;
    for (let p = earliest; moved < 0 && p < start; p++) if (SENTENCE_END.test(norm[p - 1])) moved = p;
    if (moved >= 0) start = moved;
  }
  let end = Math.min(norm.length, start + length);
  // End after a sentence when one closes in the last quarter of the window (and after
  // the window's matches); a window that reaches the end of the text is not cut.
  const cutAfter = Math.max(start + (length * 3) / 4, mustEnd - 1);
  for (let p = end - 1; end < norm.length && p > cutAfter; p--) {
    if (SENTENCE_END.test(norm[p])) {
      end = p + 1;
      break;
    }
  }
  while (start < end && /\s/.test(norm[start])) start++;
  // Never split a surrogate pair.
  if (start > 0 && isLowSurrogate(norm.charCodeAt(start))) start--;
  if (end < norm.length && isLowSurrogate(norm.charCodeAt(end))) end++;
  return [start, end];
}

/**
 * Two windows of `length` that do not overlap and together cover the most query weight,
 * or null when no pair covers more than `single` does.
 */
function bestPair(spans: readonly Span[], weights: readonly number[], length: number, single: number): [Window, Window] | null {
  // Windows are grouped by the set of units they cover; per set, the best window and
  // the ones reaching least far and starting latest (for fitting a pair apart).
  interface Group {
    mask: number;
    best: Window;
    earliest: Window;
    latest: Window;
  }
  const groups = new Map<number, Group>();
  const endOf = (w: Window): number => spans[w.first].start + length;
  scanWindows(spans, weights, length, (first, last, weight, count, mask) => {
    const w = { first, last, weight, count, mask };
    const g = groups.get(mask);
    if (!g) groups.set(mask, { mask, best: w, earliest: w, latest: w });
    else {
      // Windows come in text order: the first of a set reaches least far, the last starts latest.
      if (better(w, g.best)) g.best = w;
      g.latest = w;
    }
  });
  const maskWeight = (m: number): number => {
    let s = 0;
    for (let k = 0; k < MASK_UNITS && m >>> k !== 0; k++) if (m & (1 << k)) s += weights[k];
    return s;
  };
  const list = [...groups.values()].sort((a, b) => maskWeight(b.mask) - maskWeight(a.mask)).slice(0, 40);
  const apart = (a: Window, b: Window): boolean => endOf(a) <= spans[b.first].start || endOf(b) <= spans[a.first].start;
  let top: [Window, Window] | null = null;
  let topWeight = 0;
  let topCount = 0;
  for (let x = 0; x < list.length; x++) {
    for (let y = x + 1; y < list.length; y++) {
      const a = list[x];
      const b = list[y];
      const w = maskWeight(a.mask | b.mask);
      if (w <= single + 1e-9) continue;
      if (top && w < topWeight - 1e-9) continue;
      let pair: [Window, Window] | null = null;
      if (apart(a.best, b.best)) pair = [a.best, b.best];
      else if (apart(a.best, b.latest)) pair = [a.best, b.latest];
      else if (apart(a.best, b.earliest)) pair = [a.best, b.earliest];
      else if (apart(a.latest, b.best)) pair = [a.latest, b.best];
      else if (apart(a.earliest, b.best)) pair = [a.earliest, b.best];
      else if (apart(a.earliest, b.latest)) pair = [a.earliest, b.latest];
      else if (apart(b.earliest, a.latest)) pair = [b.earliest, a.latest];
      if (!pair) continue;
      const count = pair[0].count + pair[1].count;
      if (!top || w > topWeight + 1e-9 || count > topCount) {
        top = pair;
        topWeight = w;
        topCount = count;
      }
    }
  }
  return top;
}

/**
 * A snippet of about {@link SNIPPET_LENGTH} characters: the window covering the most
 * query weight (each distinct unit counts its weight, by default 1, then the number of
 * occurrences), widened to sentence boundaries where they are close, escaped and marked.
 * When the units lie too far apart for one window, two shorter fragments joined by "…"
 * that together cover more of them. `weights` (aligned with `units`) let rarer words
 * decide which passages are shown. Without any match, the text's beginning.
 * Only the windows are read from `display`; sentence ends and spaces are found in `norm`
 * (normalization keeps both recognisable), so `display` can be rebuilt on demand.
 */
export function makeSnippet(
  display: TextSource,
  norm: string,
  units: readonly string[],
  length = SNIPPET_LENGTH,
  weights?: readonly number[],
): string {
  const spans = findSpans(norm, units);
  const w = units.map((_, k) => (weights && weights[k] > 0 ? weights[k] : 1));
  let parts: Array<[number, number]>;
  if (spans.length === 0) {
    parts = [fragment(norm, 0, 0, length)];
  } else {
    let best: Window | null = null;
    scanWindows(spans, w, length, (first, last, weight, count, mask) => {
      if (best === null || weight > best.weight + 1e-9 || (Math.abs(weight - best.weight) <= 1e-9 && count > best.count))
        best = { first, last, weight, count, mask };
    });
    let present = 0;
    const seen = new Set<number>();
    for (const s of spans) {
      if (seen.has(s.unit)) continue;
      seen.add(s.unit);
      present += w[s.unit];
    }
    const pair =
      best!.weight + 1e-9 < present && units.length <= MASK_UNITS ? bestPair(spans, w, Math.floor(length / 2), best!.weight) : null;
    if (pair) {
      const half = Math.floor(length / 2);
      parts = pair.map((p) => fragment(norm, spans[p.first].start, mustEnd(spans, p), half)).sort((a, b) => a[0] - b[0]);
      // Fragments widened into each other are shown as one.
      if (parts[1][0] <= parts[0][1]) parts = [[parts[0][0], Math.max(parts[0][1], parts[1][1])]];
    } else {
      parts = [fragment(norm, spans[best!.first].start, mustEnd(spans, best!), length)];
    }
  }
  let out = '';
  let prevEnd = 0;
  for (const [start, end] of parts) {
    if (start > prevEnd && /\S/.test(norm.slice(prevEnd, start))) out += '…';
    out += markUp(display, spans, start, end).replace(/\n/g, ' ');
    prevEnd = end;
  }
  if (prevEnd < norm.length && /\S/.test(norm.slice(prevEnd))) out += '…';
  return out;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Snippet weights for query units: the inverse document frequency of each, from
 * `df` (documents containing the unit, 0 when unknown) over `docs` documents, so that
 * a passage with a rare name outweighs one with a common word.
 */
export function unitWeights(units: readonly string[], docs: number, df: (unit: string) => number): number[] {
  return units.map((u) => Math.log(1 + docs / (df(u) + 1)));
}
