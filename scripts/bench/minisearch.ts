import MiniSearch, { type Options } from 'minisearch';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSegmenter, normalize } from '../../src';
import { childMain, dirSize, isToken, maxRssKB, runQueryPhase } from './child';
import { readCorpus } from './corpus';
import type { BuildResult } from './protocol';

/**
 * Baseline: MiniSearch over the same jieba search-mode tokens (title and body of the
 * normalized text), persisted with JSON.stringify and loaded with MiniSearch.loadJSON.
 * A query word is cut (precise mode); every token is required (combineWith AND),
 * title boosted 4. MiniSearch has no phrases: a word cut into several tokens matches
 * documents holding those tokens anywhere.
 *   build RESULT CORPUS INDEX_DIR
 *   query RESULT INDEX_DIR QUERIES
 */
const INDEX_FILE = 'minisearch.json';

interface Doc {
  id: string;
  title: string;
  body: string;
}

function options(): Options<Doc> {
  const seg = getSegmenter();
  return {
    fields: ['title', 'body'],
    tokenize: (text) => seg.cutForSearch(normalize(text)).filter(isToken),
    processTerm: (term) => term,
  };
}

childMain({
  build: async ([corpus, out]): Promise<BuildResult> => {
    const t0 = performance.now();
    const { posts, skipped } = await readCorpus(corpus);
    const parseMs = performance.now() - t0;
    const index = new MiniSearch<Doc>(options());
    for (const p of posts) index.add({ id: p.id, title: p.title, body: p.text });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, INDEX_FILE), JSON.stringify(index));
    const ms = performance.now() - t0;
    return { docs: posts.length, ms, parseMs, bytes: dirSize(out), maxRssKB: maxRssKB(), skipped };
  },
  query: ([indexDir, queries]) =>
    runQueryPhase(queries, () => {
      const opts = options();
      const index = MiniSearch.loadJSON<Doc>(readFileSync(join(indexDir, INDEX_FILE), 'utf8'), opts);
      const seg = getSegmenter();
      const search = (words: string[]): Array<{ id: string }> => {
        const tokens = [...new Set(words.flatMap((w) => seg.cut(normalize(w)).filter(isToken)))];
        if (tokens.length === 0) return [];
        return index.search(tokens.join(' '), { combineWith: 'AND', boost: { title: 4 }, tokenize: (s) => s.split(' ') });
      };
      return {
        answer: 'top 10 ids by MiniSearch BM25 (no stored text, so no snippets)',
        matchIds: (words) => search(words).map((r) => r.id),
        top10: (words) =>
          search(words)
            .slice(0, 10)
            .map((r) => r.id),
      };
    }),
});
