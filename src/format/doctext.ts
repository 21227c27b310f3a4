/**
 * Display text held as its normalized form plus the code units where the two differ.
 * Queries need the normalized text in memory anyway (candidates are checked against it
 * and snippets find their matches in it), and keeping the display text whole as well would
 * double the text in memory, while few units differ (full-width punctuation, capital
 * letters). Normalization keeps the
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
    const d = diffUnits(display, norm, MAX_DIFF_SHARE);
    return d && d.at.length > 0 ? new CompactText(norm, Uint32Array.from(d.at), d.units) : display;
  }

  /**
   * Rebuild from stored parts ({@link diffUnits} of display and normalized text): the
   * normalized text itself when nothing differs. Throws when the parts do not fit.
   */
  static fromParts(norm: string, at: Uint32Array, units: string): CompactText | string {
    if (at.length !== units.length) throw new Error(`${at.length} offsets for ${units.length} code units`);
    for (let k = 0; k < at.length; k++) {
      if (at[k] >= norm.length || (k > 0 && at[k] <= at[k - 1])) throw new Error(`offset ${at[k]} out of order or past the text`);
    }
    return at.length === 0 ? norm : new CompactText(norm, at, units);
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

/**
 * Where `display` differs from its normalized form `norm` (same length): the ascending
 * offsets and the display's code units there. Null when the lengths differ or more than
 * `maxShare` of the units differ (then the display text is cheaper kept whole).
 */
export function diffUnits(display: string, norm: string, maxShare = 1): { at: number[]; units: string } | null {
  if (display.length !== norm.length) return null;
  const at: number[] = [];
  const units: string[] = [];
  const limit = display.length * maxShare;
  for (let i = 0; i < display.length; i++) {
    if (display.charCodeAt(i) !== norm.charCodeAt(i)) {
      if (at.push(i) > limit) return null;
      units.push(display[i]);
    }
  }
  return { at, units: units.join('') };
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
