import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getSegmenter, SearchEngine } from '../src';
import { fail, intArg, parseOrExit } from './lib/cli';
import { makeQuerySet } from './lib/queryset';

const USAGE = `usage: node dist/scripts/same-answers.js --index DIR --other-dist DIST --other-index DIR [--queries N] [--seed N]

Checks that this build of zhsearch answers like another build: opens --index with this
code and --other-index with the compiled zhsearch in DIST (another checkout's dist/
folder, e.g. ../main/dist, whose index format may differ), generates a reproducible query
set of about --queries queries (default 500) from the documents, and compares every
query's total, top 10 (ids, scores, snippets, highlighted titles, duplicates) and
facet counts in both sort orders. Prints how many are identical and the first differences; exits 1 if any differ.`;

/** The part of another build's SearchEngine this script uses. */
interface OtherEngine {
  search(q: string, o: { limit: number; sort: 'relevance' | 'date' }): { total: number; hits: unknown[]; facets: unknown };
}

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          index: { type: 'string' },
          'other-dist': { type: 'string' },
          'other-index': { type: 'string' },
          queries: { type: 'string', default: '500' },
          seed: { type: 'string', default: '1' },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: false,
      }),
    USAGE,
  );
  if (!values.index || !values['other-dist'] || !values['other-index']) fail(`give --index, --other-dist and --other-index\n\n${USAGE}`, 2);
  const n = intArg(values.queries, '--queries', 10, 100_000);
  const seed = intArg(values.seed, '--seed', 0);
  const options = { resultCache: 0, synonyms: false as const };
  const engine = await SearchEngine.open(values.index, options).catch((e: Error) => fail(e.message));
  // Another build is loaded from its own folder at run time: its types are not this one's.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const other = require(resolve(values['other-dist'], 'src', 'index.js')) as {
    SearchEngine: { open(dir: string, o: typeof options): Promise<OtherEngine> };
  };
  const them = await other.SearchEngine.open(values['other-index'], options).catch((e: Error) => fail(e.message));
  const qs = makeQuerySet([...engine.documents()], getSegmenter(), seed, {
    words: Math.round(n * 0.4),
    ands: Math.round(n * 0.2),
    latin: Math.round(n * 0.1),
    knownItems: Math.round(n * 0.3),
  });
  const texts = [...new Set([...qs.queries.map((q) => q.words.join(' ')), ...qs.knownItems.map((k) => k.words.join(' '))])];
  const differences: string[] = [];
  for (const q of texts) {
    for (const sort of ['relevance', 'date'] as const) {
      const mine = engine.search(q, { limit: 10, sort });
      const theirs = them.search(q, { limit: 10, sort });
      if (JSON.stringify([mine.total, mine.hits, mine.facets]) !== JSON.stringify([theirs.total, theirs.hits, theirs.facets]))
        differences.push(`${q} (${sort})`);
    }
  }
  const identical = texts.length * 2 - differences.length;
  process.stdout.write(`${identical}/${texts.length * 2} answers identical (${texts.length} queries × 2 sort orders)\n`);
  for (const d of differences.slice(0, 20)) process.stdout.write(`  differs: ${d}\n`);
  process.exitCode = differences.length > 0 ? 1 : 0;
}

void main();
