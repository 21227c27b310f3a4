import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fail, parseOrExit } from '../lib/cli';
import { table } from '../lib/stats';
import { DEFAULT_QRELS, DEFAULT_QUERIES, KINDS, loadQrels, loadQueries, type JudgedQuery, type Qrels } from './data';
import { mean, ndcgAt, pairedPermutationTest, precisionAt, unjudgedAt } from './metrics';
import { checkSetup, DEFAULT_CACHE, DEPTH, runAll, type Run } from './runs';

const USAGE = `usage: npm run eval:judged -- --corpus DIR --index DIR [options]

Scores zhsearch and the OR baselines (FTS5 + jieba, MiniSearch + jieba) on the judged
queries: nDCG@10 (linear gains, log2 discount, ideal from every judged post of the query)
and P@5 (grade >= 1), per kind and overall; unjudged posts in a top 10 count as 0 and are
counted per engine; a paired permutation test compares zhsearch with FTS5 OR on nDCG@10.

  --corpus DIR     the posts folder the index was built from (required)
  --index DIR      the zhsearch index to score (required)
  --queries FILE   default scripts/judged/queries.json
  --qrels FILE     default scripts/judged/qrels.tsv
  --cache DIR      baseline index cache (default ${DEFAULT_CACHE})
  --json FILE      also write per-query scores and the unjudged posts as JSON`;

/** One engine's scores on one query (nDCG null: the query has no relevant judged post). */
interface QueryScore {
  id: string;
  kind: string;
  ndcg: number | null;
  p5: number;
  unjudged: string[];
}

function score(run: Run, queries: readonly JudgedQuery[], qrels: Qrels): QueryScore[] {
  return queries.map((q) => {
    const judged = qrels.get(q.id) ?? new Map<string, number>();
    const ranked = run.ranked[q.id] ?? [];
    return {
      id: q.id,
      kind: q.kind,
      ndcg: ndcgAt(ranked, judged, DEPTH),
      p5: precisionAt(ranked, judged, 5),
      unjudged: unjudgedAt(ranked, judged, DEPTH),
    };
  });
}

const fmt = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3));

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          index: { type: 'string' },
          queries: { type: 'string', default: DEFAULT_QUERIES },
          qrels: { type: 'string', default: DEFAULT_QRELS },
          cache: { type: 'string', default: DEFAULT_CACHE },
          json: { type: 'string' },
          help: { type: 'boolean' },
        },
      }),
    USAGE,
  );
  const problem = checkSetup(values.corpus, values.index);
  if (problem) fail(`${problem}\n\n${USAGE}`, 2);
  const queries = loadQueries(values.queries);
  const qrels = loadQrels(values.qrels);
  const log = (m: string): void => void process.stderr.write(`${m}\n`);
  const { runs } = await runAll({ corpus: values.corpus!, index: values.index!, cache: values.cache }, queries, log);

  // Queries with no relevant judged post have no nDCG; they are left out of every average alike.
  const scored = queries.filter((q) => [...(qrels.get(q.id)?.values() ?? [])].some((g) => g > 0));
  const left = queries.filter((q) => !scored.includes(q)).map((q) => q.id);
  const scores = runs.map((r) => ({ run: r, per: score(r, scored, qrels), all: score(r, queries, qrels) }));
  const groups: Array<[string, (s: { kind: string }) => boolean]> = [
    ...KINDS.map((k): [string, (s: { kind: string }) => boolean] => [k, (s) => s.kind === k]),
    ['all', () => true],
  ];
  const avg = (xs: QueryScore[], pick: (s: QueryScore) => number): number => mean(xs.map(pick));

  const out: string[] = [];
  out.push(
    `${queries.length} queries, ${scored.length} with at least one relevant judged post; ${[...qrels.values()].reduce((s, m) => s + m.size, 0)} judgments`,
  );
  if (left.length > 0) out.push(`left out (no relevant post judged): ${left.join(' ')}`);
  const counts = groups.map(([name, f]) => `${name} ${scored.filter(f).length}`);
  out.push(`queries per kind: ${counts.join(', ')}`, '');
  const header = ['engine', ...groups.map(([g]) => g)];
  out.push('nDCG@10');
  out.push(
    table(
      header,
      scores.map((s) => [s.run.label, ...groups.map(([, f]) => fmt(avg(s.per.filter(f), (x) => x.ndcg ?? 0)))]),
    ),
    '',
  );
  out.push('P@5 (grade >= 1)');
  out.push(
    table(
      header,
      scores.map((s) => [s.run.label, ...groups.map(([, f]) => fmt(avg(s.per.filter(f), (x) => x.p5)))]),
    ),
    '',
  );
  out.push('unjudged posts in the top 10 (counted as not relevant)');
  out.push(
    table(
      ['engine', 'posts', 'queries'],
      scores.map((s) => {
        const n = s.all.reduce((t, x) => t + x.unjudged.length, 0);
        return [s.run.label, n, s.all.filter((x) => x.unjudged.length > 0).length];
      }),
    ),
  );
  const anyUnjudged = scores.some((s) => s.all.some((x) => x.unjudged.length > 0));
  if (anyUnjudged)
    out.push('WARNING: some top-10 posts are unjudged, so these figures are lower bounds; run pool.js and judge the new posts.');
  out.push('');
  const zh = scores.find((s) => s.run.key === 'zhsearch');
  const fts = scores.find((s) => s.run.key === 'fts5-or');
  if (zh && fts && scored.length > 0) {
    const a = zh.per.map((x) => x.ndcg ?? 0);
    const b = fts.per.map((x) => x.ndcg ?? 0);
    const p = pairedPermutationTest(a, b);
    out.push(
      `zhsearch − FTS5 OR, nDCG@10 over ${a.length} queries: ${mean(a) - mean(b) >= 0 ? '+' : ''}${(mean(a) - mean(b)).toFixed(3)}, paired permutation test p = ${p < 0.001 ? p.toExponential(1) : p.toFixed(3)}`,
    );
  } else if (scored.length === 0) {
    out.push("no relevant judgments yet: nothing to compare (merge judges' grades with merge-grades.js)");
  }
  process.stdout.write(out.join('\n') + '\n');
  if (values.json) {
    writeFileSync(
      values.json,
      JSON.stringify(
        {
          queries: queries.length,
          scored: scored.length,
          engines: scores.map((s) => ({ key: s.run.key, label: s.run.label, perQuery: s.all, ranked: s.run.ranked })),
        },
        null,
        1,
      ) + '\n',
    );
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
