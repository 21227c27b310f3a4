/**
 * Display text held as its normalized form plus the code units where the two differ.
 * Queries need the normalized text in memory anyway (candidates are checked against it
 * and snippets find their matches in it); keeping the display text whole as well made up
 * a third of the heap (62 MB for the 31 M UTF-16 units of oped2), while only about 5 % of
 * the units differ (full-width punctuation, capital letters). Normalization keeps the
 * length (see analysis/normalize), so the two align unit for unit.
 */

/** Something snippets can cut display text from: a string, or a {@link CompactText}. */
export interface TextSource {
  slice(start: number, end: number): string;
}

/** Beyond this share of differing units a text is cheaper to keep whole. */
const MAX_DIFF_SHARE = 0.25;

/** Display text rebuilt on demand from the normalized text and its differences. */
export class CompactText implements TextSource {
  private constructor(
    private readonly norm: string,
    /** Ascending offsets where the display text differs from `norm`. */
    private readonly at: Uint32Array,
    /** The display text's code units at those offsets. */
    private readonly units: string,
  ) {}

  /**
   * The compact form of `display`, or `display` itself when the differences are too many
   * for the compact form to be smaller. `norm` must be `normalize(display)`.
   */
  static from(display: string, norm: string): CompactText | string {
    if (display === norm || display.length !== norm.length) return display;
    const at: number[] = [];
    const units: string[] = [];
    const limit = display.length * MAX_DIFF_SHARE;
    for (let i = 0; i < display.length; i++) {
      if (display.charCodeAt(i) !== norm.charCodeAt(i)) {
        if (at.push(i) > limit) return display;
        units.push(display[i]);
      }
    }
    return new CompactText(norm, Uint32Array.from(at), units.join(''));
  }

  get length(): number {
    return this.norm.length;
  }

  /** The display text of [start, end), like String.prototype.slice with in-range bounds. */
  slice(start: number, end: number = this.norm.length): string {
    start = Math.max(0, Math.min(start, this.norm.length));
    end = Math.max(start, Math.min(end, this.norm.length));
    let k = firstAtOrAfter(this.at, start);
    if (k === this.at.length || this.at[k] >= end) return this.norm.slice(start, end);
    const parts: string[] = [];
    let pos = start;
    for (; k < this.at.length && this.at[k] < end; k++) {
      const p = this.at[k];
      parts.push(this.norm.slice(pos, p), this.units[k]);
      pos = p + 1;
    }
    parts.push(this.norm.slice(pos, end));
    return parts.join('');
  }

  toString(): string {
    return this.slice(0, this.norm.length);
  }
}

function firstAtOrAfter(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
