import type { Ranked } from './rank';

/** The first depth asked of a collapsed ranking, over the expected one: copies do not spread evenly over a ranking. */
const DEPTH_MARGIN = 1.25;

/**
 * Duplicate groups: posts found at build time to be copies of one another (same source
 * URL or near-identical body, see indexer/duplicate-groups). Search shows the best-ranked
 * post of each group and counts the others; `collapse: false` shows them all.
 */
export class DuplicateGroups {
  private readonly groupIndex: Int32Array;
  /** Per group, 1 when `same` holds between its first post and every other (see {@link alike}). */
  private readonly alikeFlags: Uint8Array;

  /**
   * `groups`: arrays of document numbers (2+ each) of an index of `size` documents.
   * `same`: whether two posts count as one for facets (query/facets `sameFacets`).
   */
  constructor(
    size: number,
    private readonly groups: readonly (readonly number[])[],
    same: (a: number, b: number) => boolean,
  ) {
    this.groupIndex = new Int32Array(size).fill(-1);
    this.alikeFlags = new Uint8Array(groups.length);
    groups.forEach((g, k) => {
      for (const d of g) this.groupIndex[d] = k;
      this.alikeFlags[k] = g.every((d) => same(g[0], d)) ? 1 : 0;
    });
  }

  /** True when every post of group `g` is the same as the others by the constructor's `same`. */
  alike(g: number): boolean {
    return this.alikeFlags[g] === 1;
  }

  /** Number of groups (each of 2+ posts). */
  get count(): number {
    return this.groups.length;
  }

  /** The other posts of `doc`'s group (all of them, matched or not). */
  others(doc: number): number[] {
    const g = this.groupIndex[doc];
    return g < 0 ? [] : this.groups[g].filter((d) => d !== doc);
  }

  /** Keep the first document of each group, in the given order. */
  collapse<T extends { doc: number }>(ranked: readonly T[]): T[] {
    if (this.groups.length === 0) return ranked.slice();
    const seen = new Set<number>();
    return ranked.filter(({ doc }) => {
      const g = this.groupIndex[doc];
      if (g < 0) return true;
      if (seen.has(g)) return false;
      seen.add(g);
      return true;
    });
  }

  /** Distinct posts among `docs`, a duplicate group counting once. */
  countDistinct(docs: ArrayLike<number>): number {
    if (this.groups.length === 0) return docs.length;
    // A flag per group, not a set: this runs over every match of every collapsed query.
    const seen = new Uint8Array(this.groups.length);
    let n = 0;
    for (let i = 0; i < docs.length; i++) {
      const g = this.groupIndex[docs[i]];
      if (g < 0) n++;
      else if (seen[g] === 0) {
        seen[g] = 1;
        n++;
      }
    }
    return n;
  }

  /** The group number of `doc`, or -1 when it has no duplicates. */
  groupOf(doc: number): number {
    return this.groupIndex[doc];
  }

  /** True when `doc` belongs to a duplicate group. */
  grouped(doc: number): boolean {
    return this.groupIndex[doc] >= 0;
  }
}

/** Check the decoded duplicates file: arrays of distinct document numbers below `size`. */
export function validGroups(value: unknown, size: number, file: string): number[][] {
  const bad = (): never => {
    throw new Error(`${file}: malformed duplicate groups; rebuild the index`);
  };
  if (!Array.isArray(value)) return bad();
  const seen = new Set<number>();
  for (const g of value) {
    if (!Array.isArray(g) || g.length < 2) bad();
    for (const d of g as unknown[]) {
      if (!Number.isInteger(d) || (d as number) < 0 || (d as number) >= size || seen.has(d as number)) bad();
      seen.add(d as number);
    }
  }
  return value as number[][];
}

/**
 * The ranking with one document per duplicate group, at least `need` long unless the
 * matches run out: ranks more of the matches until enough distinct posts are found.
 * `distinct` (the distinct posts among the `matches`, when known) sets the first depth:
 * a page times the matches per distinct post, so that an archive full of copies ranks
 * once rather than at 4, 16, 64 … times the page, each a pass over every match.
 */
export function collapsedRanking(
  groups: DuplicateGroups,
  rank: (need: number) => Ranked[],
  need: number,
  matches: number,
  distinct = matches,
): Ranked[] {
  let want = Math.min(matches, Math.ceil(need * DEPTH_MARGIN * (matches / Math.max(1, distinct))));
  for (;;) {
    const ranked = rank(want);
    const shown = groups.collapse(ranked);
    if (shown.length >= need || ranked.length >= matches || want >= matches) return shown;
    want = Math.min(matches, want * 4);
  }
}
