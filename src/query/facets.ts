import type { DocTable } from './doctable';

/** Facet counts over all matches: category → count, year → count. */
export interface Facets {
  categories: Record<string, number>;
  years: Record<string, number>;
}

/** Count categories and years of the matched documents, most frequent categories first. */
export function facetCounts(table: DocTable, docs: readonly number[]): Facets {
  const catCounts = new Uint32Array(table.categoryNames.length);
  const years = new Map<number, number>();
  const yearCounts = new Uint32Array(1 << 12);
  for (const d of docs) {
    const cs = table.categoryIds[d];
    for (let i = 0; i < cs.length; i++) catCounts[cs[i]]++;
    const y = table.year[d];
    if (y > 0 && y < yearCounts.length) yearCounts[y]++;
  }
  yearCounts.forEach((n, y) => {
    if (n > 0) years.set(y, n);
  });
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
