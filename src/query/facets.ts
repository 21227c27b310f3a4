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
export function facetCounts(table: DocTable, docs: readonly number[], groups?: { groupOf(doc: number): number }): Facets {
  const catCounts = new Uint32Array(table.categoryNames.length);
  const [y0, y1] = table.yearRange;
  const yearCounts = new Uint32Array(Math.max(0, y1 - y0 + 1));
  const { categoryStart, categoryFlat } = table;
  // "group:c<category>" / "group:y<year>" pairs already counted for a post of a duplicate group.
  const counted = new Set<string>();
  const firstOfGroup = (group: number, key: string): boolean => {
    const k = `${group}:${key}`;
    if (counted.has(k)) return false;
    counted.add(k);
    return true;
  };
  for (const d of docs) {
    const group = groups ? groups.groupOf(d) : -1;
    for (let i = categoryStart[d], end = categoryStart[d + 1]; i < end; i++) {
      if (group < 0 || firstOfGroup(group, `c${categoryFlat[i]}`)) catCounts[categoryFlat[i]]++;
    }
    const y = table.year[d];
    if (y !== 0 && (group < 0 || firstOfGroup(group, `y${y}`))) yearCounts[y - y0]++;
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

// Null-prototype records: a category named "__proto__" is data, not a prototype.
function toRecord(entries: Array<[string, number]>): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}
