/**
 * Highlighted snippets. Offsets come from the normalized text, which has the same
 * length as the display text (see analysis/normalize), so marks land on exactly the
 * characters that matched. Everything outside `<mark>` is HTML-escaped: the corpus is
 * untrusted.
 */

import type { TextSource } from './doctext';

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

const MAX_OCCURRENCES = 400;

/** Occurrences of each unit in `norm`, sorted by start (at most a few hundred). */
function findSpans(norm: string, units: readonly string[], from = 0, to = norm.length): Span[] {
  const spans: Span[] = [];
  units.forEach((u, k) => {
    if (u === '') return;
    let p = norm.indexOf(u, from);
    while (p >= 0 && p + u.length <= to && spans.length < MAX_OCCURRENCES) {
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
  while (i < spans.length) {
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

/**
 * The best window of about {@link SNIPPET_LENGTH} characters: the one covering the most
 * distinct query units (then the most occurrences), widened to sentence boundaries
 * where they are close, escaped and marked. Without any match, the text's beginning.
 * Only the window is read from `display`; sentence ends and spaces are found in `norm`
 * (normalization keeps both recognisable), so `display` can be rebuilt on demand.
 */
export function makeSnippet(display: TextSource, norm: string, units: readonly string[], length = SNIPPET_LENGTH): string {
  const spans = findSpans(norm, units);
  let start = 0;
  /** The window must reach this far: the end of the best match. */
  let mustEnd = 0;
  if (spans.length > 0) {
    let best = -1;
    let bestKey = -1;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i].start;
      const seen = new Set<number>();
      let count = 0;
      for (let j = i; j < spans.length && spans[j].end <= s + length; j++) {
        seen.add(spans[j].unit);
        count++;
      }
      const key = seen.size * 1000 + Math.min(count, 999);
      if (key > bestKey) {
        bestKey = key;
        best = s;
        mustEnd = spans[i].end;
      }
    }
    // Begin at the start of the sentence holding the best match when it is near.
    start = Math.max(0, best - 15);
    let found = false;
    for (let p = best - 1; p >= Math.max(0, best - 40); p--) {
      if (SENTENCE_END.test(norm[p])) {
        start = p + 1;
        found = true;
        break;
      }
    }
    if (!found && best <= 40) start = 0;
    // Near the end of the text the window has room to spare: use it for what comes
    // before (from a sentence start), rather than cutting a text that would fit whole.
    if (start > 0 && norm.length - start < length) {
      const earliest = Math.max(0, norm.length - length);
      let moved = earliest === 0 ? 0 : -1;
      for (let p = earliest; moved < 0 && p < start; p++) if (SENTENCE_END.test(norm[p - 1])) moved = p;
      if (moved >= 0) start = moved;
    }
  }
  let end = Math.min(norm.length, start + length);
  // End after a sentence when one closes in the last quarter of the window (and after
  // the best match); a window that reaches the end of the text is not cut.
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
  const body = markUp(display, spans, start, end).replace(/\n/g, ' ');
  const cutBefore = start > 0 && /\S/.test(norm.slice(0, start));
  const cutAfterEnd = end < norm.length && /\S/.test(norm.slice(end));
  return (cutBefore ? '…' : '') + body + (cutAfterEnd ? '…' : '');
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
