import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Post } from '../../src';
import { fail, intArg, parseOrExit } from '../lib/cli';
import { blindOrder, keywordsInContext, opening } from './blind';
import { DEFAULT_QRELS, DEFAULT_QUERIES, loadQrels, loadQueries, type JudgedQuery, type Qrels } from './data';
import { checkSetup, DEFAULT_CACHE, runAll, type Run } from './runs';

/** Judging batches live outside the repository: they are work files, the grades go to qrels.tsv. */
const DEFAULT_OUT = join(tmpdir(), 'zhsearch-judging');

const USAGE = `usage: node dist/scripts/judged/pool.js --corpus DIR --index DIR [options]

Pools the top 10 of zhsearch and the OR baselines (FTS5 + jieba, MiniSearch + jieba) for
every judged query and writes judging batches that hide which engine returned a post.
Posts already graded in the qrels file are left out, so a later round shows only new ones.

  --corpus DIR     the posts folder the index was built from (required)
  --index DIR      a zhsearch index (required)
  --out DIR        judging folder (default ${DEFAULT_OUT}, outside the repository);
                   pool.json, batch-N.md and batch-N.todo.tsv are (re)written there;
                   judges' grade files are never touched
  --runs FILE      engine runs, not for judges (default: DIR-runs.json beside --out)
  --batches N      number of batches (default 4)
  --queries FILE   default scripts/judged/queries.json
  --qrels FILE     default scripts/judged/qrels.tsv
  --cache DIR      baseline index cache (default ${DEFAULT_CACHE})`;

/** One query's pool as written to pool.json (blind: no engine names). */
interface PoolEntry {
  id: string;
  kind: string;
  query: string;
  need: string;
  /** Batch holding the query's unjudged posts (null: nothing new to judge). */
  batch: number | null;
  /** Every pooled post, in blind order. */
  docs: string[];
  /** Pooled posts without a grade yet. */
  unjudged: string[];
}

function renderQuery(q: JudgedQuery, docs: string[], byId: Map<string, Post>): string {
  const parts = [`## ${q.id} — ${q.query}`, '', `Need (${q.kind}): ${q.need}`, ''];
  docs.forEach((d, i) => {
    const p = byId.get(d);
    parts.push(`### ${q.id} · ${i + 1}/${docs.length} · ${d}`);
    if (!p) {
      parts.push('(post not found in the corpus)', '');
      return;
    }
    parts.push(`Title: ${p.title}`, `Date: ${p.date ? p.date.slice(0, 10) : '—'}`, `Opening: ${opening(p.text)}`);
    const kwic = keywordsInContext(p.text, q.query);
    if (kwic.length === 0) parts.push('In context: (no query word found in the text as written)');
    for (const w of kwic) parts.push(`In context: ${w}`);
    parts.push('');
  });
  return parts.join('\n');
}

function batchHeader(n: number, of: number, queries: number, docs: number, corpus: string): string {
  return [
    `# Judging batch ${n} of ${of}: ${queries} queries, ${docs} posts`,
    '',
    'For each query, read the written need, then grade every post listed under it:',
    '  2 = highly relevant: the post is about what the need describes;',
    '  1 = partly relevant: it treats the topic in part or in passing but usefully;',
    '  0 = not relevant: it only mentions the words, or is about something else.',
    'Grade against the need, not against the query words. Posts are in no particular order.',
    `Write your grades into batch-${n}.todo.tsv (fill in the third column with 0, 1 or 2; keep the tabs)`,
    `and save it as grades-batch-${n}.tsv. The document id is the post's file path under ${corpus}:`,
    'open the full post there when the opening and the context lines are not enough to decide.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          index: { type: 'string' },
          out: { type: 'string', default: DEFAULT_OUT },
          runs: { type: 'string' },
          batches: { type: 'string', default: '4' },
          queries: { type: 'string', default: DEFAULT_QUERIES },
          qrels: { type: 'string', default: DEFAULT_QRELS },
          cache: { type: 'string', default: DEFAULT_CACHE },
          help: { type: 'boolean' },
        },
      }),
    USAGE,
  );
  const problem = checkSetup(values.corpus, values.index);
  if (problem) fail(`${problem}\n\n${USAGE}`, 2);
  const nBatches = intArg(values.batches, '--batches', 1);
  const log = (m: string): void => void process.stderr.write(`${m}\n`);
  const queries = loadQueries(values.queries);
  const qrels: Qrels = loadQrels(values.qrels);
  const { runs, posts } = await runAll({ corpus: values.corpus!, index: values.index!, cache: values.cache }, queries, log);
  const byId = new Map(posts.map((p) => [p.id, p]));

  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const runsFile = values.runs ?? `${out.replace(/\/+$/, '')}-runs.json`;
  mkdirSync(dirname(runsFile), { recursive: true });

  const pool: PoolEntry[] = queries.map((q) => {
    const docs = blindOrder(
      q.id,
      runs.flatMap((r: Run) => r.ranked[q.id] ?? []),
    );
    const judged = qrels.get(q.id);
    return { id: q.id, kind: q.kind, query: q.query, need: q.need, batch: null, docs, unjudged: docs.filter((d) => !judged?.has(d)) };
  });
  // Round-robin over the queries with something new, in file order: kinds stay mixed in every batch.
  const pending = pool.filter((p) => p.unjudged.length > 0);
  pending.forEach((p, i) => (p.batch = (i % nBatches) + 1));

  for (const name of readdirSync(out)) {
    if (/^batch-\d+\.(md|todo\.tsv)$/.test(name)) rmSync(join(out, name));
  }
  const summary: string[] = [];
  for (let b = 1; b <= nBatches; b++) {
    const entries = pending.filter((p) => p.batch === b);
    if (entries.length === 0) continue;
    const docs = entries.reduce((s, e) => s + e.unjudged.length, 0);
    const qs = new Map(queries.map((q) => [q.id, q]));
    const body = entries.map((e) => renderQuery(qs.get(e.id)!, e.unjudged, byId)).join('\n');
    writeFileSync(join(out, `batch-${b}.md`), `${batchHeader(b, nBatches, entries.length, docs, resolve(values.corpus!))}\n${body}`);
    const todo = entries.flatMap((e) => e.unjudged.map((d) => `${e.id}\t${d}\t`));
    writeFileSync(join(out, `batch-${b}.todo.tsv`), `# queryId\tdocId\tgrade (fill in 0, 1 or 2)\n${todo.join('\n')}\n`);
    summary.push(`batch ${b}: ${entries.length} queries, ${docs} posts to grade`);
  }
  writeFileSync(join(out, 'pool.json'), JSON.stringify({ created: new Date().toISOString(), depth: 10, queries: pool }, null, 1) + '\n');
  writeFileSync(
    runsFile,
    JSON.stringify({ created: new Date().toISOString(), corpus: resolve(values.corpus!), index: resolve(values.index!), runs }, null, 1) +
      '\n',
  );

  const total = pool.reduce((s, p) => s + p.docs.length, 0);
  const fresh = pending.reduce((s, p) => s + p.unjudged.length, 0);
  process.stdout.write(
    [
      `pooled ${total} (query, post) pairs over ${queries.length} queries; ${fresh} not yet judged`,
      ...summary,
      `judging folder: ${out} (pool.json, batch-N.md, batch-N.todo.tsv)`,
      `engine runs (keep from judges): ${runsFile}`,
      existsSync(values.qrels) ? '' : `note: ${values.qrels} does not exist yet; every pooled post is new`,
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n',
  );
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
