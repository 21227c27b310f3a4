import { SearchEngine } from '../../src';

/** How two engines over the same corpus compare on a set of queries. */
export interface Comparison {
  queries: number;
  identical: number;
  /** The first few differing queries, with what differed. */
  differences: string[];
}

/**
 * Open the file index `otherDir` and compare its answers with `engine`'s for every
 * query: ranked top-100 results in both sort orders (ids, scores, snippets, totals,
 * facets) and every matching id. Used to show that storage backends answer alike;
 * `engine` must be opened with synonyms off, as eval opens it.
 */
export async function compareWithIndex(engine: SearchEngine, otherDir: string, queries: readonly string[]): Promise<Comparison> {
  const other = await SearchEngine.open(otherDir, { resultCache: 0, synonyms: false });
  const differences: string[] = [];
  let identical = 0;
  for (const q of queries) {
    const what: string[] = [];
    for (const sort of ['relevance', 'date'] as const) {
      const a = JSON.stringify({ ...engine.search(q, { limit: 100, sort }), tookMs: 0 });
      const b = JSON.stringify({ ...other.search(q, { limit: 100, sort }), tookMs: 0 });
      if (a !== b) what.push(`${sort} results`);
    }
    if (JSON.stringify(engine.matchIds(q)) !== JSON.stringify(other.matchIds(q))) what.push('matching ids');
    if (what.length === 0) identical++;
    else if (differences.length < 20) differences.push(`${q}: ${what.join(', ')} differ`);
  }
  return { queries: queries.length, identical, differences };
}
