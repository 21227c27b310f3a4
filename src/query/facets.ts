import type { DocTable } from './doctable';

/** Facet counts over all matches: category → count, year → count. */
export interface Facets {
  categories: Record<string, number>;
  years: Record<string, number>;
}

/**
 * Count categories and years of the matched documents, most frequent categories first.
 * With `groups` (collapsed results), a duplicate group counts once per value, however many of its
 * posts have it: a count is then the total that filtering by that value shows.
 */
export function facetCounts(table: DocTable, docs: ArrayLike<number>, groups?: Groups): Facets {
  const { facetClass, classCategories, classYear } = table;
  const classCounts = new Uint32Array(classYear.length);
  const grouped: number[] = [];
  if (groups) {
    const counted = new Uint8Array(groups.count);
    for (let k = 0; k < docs.length; k++) {
      const d = docs[k];
      const g = groups.groupOf(d);
      if (g >= 0) {
        // A group whose posts all have the same facet class (sameFacets) counts as any one of them.
        if (!groups.alike(g)) {
          grouped.push(d);
          continue;
        }
        if (counted[g]) continue;
        counted[g] = 1;
      }
      classCounts[facetClass[d]]++;
    }
  } else {
    for (let k = 0; k < docs.length; k++) classCounts[facetClass[docs[k]]]++;
  }
  const catCounts = new Uint32Array(table.categoryNames.length);
  const [y0, y1] = table.yearRange;
  const yearCounts = new Uint32Array(Math.max(0, y1 - y0 + 1));
  for (let c = 0; c < classCounts.length; c++) {
    const n = classCounts[c];
    if (n === 0) continue;
    for (const k of classCategories[c]) catCounts[k] += n;
    if (classYear[c] !== 0) yearCounts[classYear[c] - y0] += n;
  }
  if (groups && grouped.length > 0) {
    // Posts of a duplicate group count once per value: visit the groups one at a time
    // (members ordered by group with a counting sort) and stamp each value with the
    // group that counted it, in typed arrays rather than a set of (group, value) keys.
    const starts = new Uint32Array(groups.count + 1);
    for (const d of grouped) starts[groups.groupOf(d) + 1]++;
    for (let g = 0; g < groups.count; g++) starts[g + 1] += starts[g];
    const order = new Uint32Array(grouped.length);
    const at = starts.slice(0, groups.count);
    for (const d of grouped) order[at[groups.groupOf(d)]++] = d;
    const catStamp = new Int32Array(catCounts.length).fill(-1);
    const yearStamp = new Int32Array(yearCounts.length).fill(-1);
    for (const d of order) {
      const g = groups.groupOf(d);
      const cls = facetClass[d];
      for (const c of classCategories[cls]) {
        if (catStamp[c] !== g) {
          catStamp[c] = g;
          catCounts[c]++;
        }
      }
      const y = classYear[cls];
      if (y !== 0 && yearStamp[y - y0] !== g) {
        yearStamp[y - y0] = g;
        yearCounts[y - y0]++;
      }
    }
  }
  const years = new Map<number, number>();
  for (let i = 0; i < yearCounts.length; i++) if (yearCounts[i] > 0) years.set(y0 + i, yearCounts[i]);
  const cats: Array<[string, number]> = [];
  catCounts.forEach((n, i) => {
    if (n > 0) cats.push([table.categoryNames[i], n]);
  });
  return {
    categories: toRecord(cats.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    years: toRecord([...years.entries()].map(([y, n]) => [String(y), n])),
  };
}

/** Duplicate groups as facet counting sees them (query/duplicate-groups DuplicateGroups). */
interface Groups {
  groupOf(doc: number): number;
  readonly count: number;
  /** True when group `g`'s posts are all the same by {@link sameFacets}. */
  alike(g: number): boolean;
}

/** Whether two posts have the same categories (in the same order) and the same year: what facets count. */
export function sameFacets(table: DocTable): (a: number, b: number) => boolean {
  const { facetClass } = table;
  return (a, b) => facetClass[a] === facetClass[b];
}

// Null-prototype records: a category named "__proto__" is data, not a prototype.
function toRecord(entries: Array<[string, number]>): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}
