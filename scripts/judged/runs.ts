import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchEngine, type Post } from '../../src';
import { readCorpus } from '../bench/corpus';
import { openBaselines, type Ranker } from './baselines';
import type { JudgedQuery } from './data';

/** Depth of every run: the top 10 is what is pooled and scored. */
export const DEPTH = 10;

/** Default cache of baseline indexes. */
export const DEFAULT_CACHE = join(tmpdir(), 'zhsearch-judged-cache');

/** One engine's ranked lists: query id → top-10 document ids. */
export interface Run {
  key: string;
  label: string;
  ranked: Record<string, string[]>;
}

/** zhsearch as a user gets it: the index opened with its defaults, `search(q, { limit: 10 })`. */
export async function openZhsearch(indexDir: string, log: (msg: string) => void): Promise<Ranker> {
  const engine = await SearchEngine.open(indexDir);
  return {
    key: 'zhsearch',
    label: 'zhsearch',
    top: (query, k) => {
      try {
        // The page shows the posts holding all but the last word after those holding every word.
        const r = engine.search(query, { limit: k });
        return [...r.hits, ...(r.relaxed?.hits ?? [])].map((h) => h.id);
      } catch (err) {
        // A query the engine refuses (syntax) is an empty answer for scoring, and said so.
        log(`zhsearch refused "${query}": ${(err as Error).message}`);
        return [];
      }
    },
  };
}

/** What a judged run needs: the corpus, the index, where baselines are cached. */
export interface RunSetup {
  corpus: string;
  index: string;
  cache: string;
}

/** Check the two required folders, returning the message to print when one is missing. */
export function checkSetup(corpus: string | undefined, index: string | undefined): string | null {
  if (!corpus || !index) {
    return `--corpus DIR and --index DIR are required (the posts folder, e.g. ../shared/corpus/oped2, and a zhsearch index built from it, e.g. /tmp/oped2-base)`;
  }
  if (!existsSync(corpus)) return `--corpus ${corpus}: no such folder`;
  if (!existsSync(index)) return `--index ${index}: no such folder`;
  return null;
}

/**
 * Run every query through zhsearch and both baselines; returns the runs and the parsed
 * posts (for display). Baselines are built on first use and cached.
 */
export async function runAll(
  setup: RunSetup,
  queries: readonly JudgedQuery[],
  log: (msg: string) => void,
): Promise<{ runs: Run[]; posts: Post[] }> {
  log(`reading ${setup.corpus} …`);
  const { posts } = await readCorpus(setup.corpus);
  if (posts.length === 0) throw new Error(`--corpus ${setup.corpus}: no posts found`);
  const rankers = [await openZhsearch(setup.index, log), ...(await openBaselines(setup.corpus, posts, setup.cache, log))];
  const runs = rankers.map((r) => {
    const ranked: Record<string, string[]> = {};
    for (const q of queries) ranked[q.id] = r.top(q.query, DEPTH);
    return { key: r.key, label: r.label, ranked };
  });
  return { runs, posts };
}
