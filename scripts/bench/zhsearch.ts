import { buildIndex, QueryError, SearchEngine } from '../../src';
import { configFromEnv } from '../../src/server/config';
import { tuneHeap } from '../../src/server/heap';
import { childMain, dirSize, maxRssKB, runQueryPhase } from './child';
import type { BuildResult } from './protocol';

/**
 * zhsearch benchmark child.
 *   build RESULT CORPUS INDEX_DIR  — buildIndex with its default workers
 *   query RESULT INDEX_DIR QUERIES — SearchEngine.open, then the shared query phase,
 *     with the server's HEAP_GROWING_PERCENT (default 20; 0 for V8's own growth)
 */
childMain({
  build: async ([corpus, out]): Promise<BuildResult> => {
    const t0 = performance.now();
    const report = await buildIndex({ corpus, out });
    const ms = performance.now() - t0;
    if (report.indexed === 0) throw new Error(`nothing indexed (${report.skipped.length} files skipped)`);
    return { docs: report.indexed, ms, parseMs: null, bytes: dirSize(out), maxRssKB: maxRssKB(), skipped: report.skipped.length };
  },
  query: ([indexDir, queries]) =>
    runQueryPhase(queries, async () => {
      // No result cache: every timed query is computed, not a repeat.
      const engine = await SearchEngine.open(indexDir, { resultCache: 0, synonyms: false });
      // The heap setting `serve` runs with, read and applied the same way (once the index is loaded), so RSS is the server's.
      tuneHeap(configFromEnv().heapGrowingPercent);
      return {
        answer: 'top 10 with snippets, highlighted titles, total and facets (engine.search)',
        matchIds: (words) => engine.matchIds(words.join(' ')),
        top10: (words) => engine.search(words.join(' '), { limit: 10, collapse: false }).hits.map((h) => h.id),
        afterFirstAnswer: () => engine.loadSegmenter(),
        raw: (q) => {
          try {
            engine.search(q, { limit: 10 });
          } catch (e) {
            if (!(e instanceof QueryError)) throw e; // a refused query (400) is an answer too
          }
        },
      };
    }),
});
