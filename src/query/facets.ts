import type { DocTable } from './doctable';

/** Facet counts over all matches: category → count, year → count. */
export interface Facets {
  categories: Record<string, number>;
  years: Record<string, number>;
}

/** Count categories and years of the matched documents, most frequent categories first. */
export function facetCounts(table: DocTable, docs: readonly number[]): Facets {
  const cats = new Map<string, number>();
  const years = new Map<string, number>();
  for (const d of docs) {
    for (const c of table.posts[d].categories) cats.set(c, (cats.get(c) ?? 0) + 1);
    const t = table.dateMs[d];
    if (!Number.isNaN(t)) {
      const y = String(new Date(t).getUTCFullYear());
      years.set(y, (years.get(y) ?? 0) + 1);
    }
  }
  return {
    categories: toRecord([...cats.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    years: toRecord([...years.entries()]),
  };
}

// Null-prototype records: a category named "__proto__" is data, not a prototype.
function toRecord(entries: Array<[string, number]>): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}
