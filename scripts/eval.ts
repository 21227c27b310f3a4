import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIndex, getSegmenter, SearchEngine } from '../src';
import { RedisIndexStore } from '../src/store/redis';
import { fail, parseOrExit } from './lib/cli';
import { compareWithIndex, type Comparison } from './lib/compare';
import { mrrAt10, MatchTally, rates } from './lib/metrics';
import { DEFAULT_SIZES, GroundTruth, makeQuerySet } from './lib/queryset';
import { median, quantile, table } from './lib/stats';
import { zhEval, zhMissed, zhRows } from './lib/zh-eval';

const USAGE = `usage: npm run eval -- --corpus DIR [--index DIR] [--seed N] [--check] [--json]
       npm run eval -- --redis-url URL --name NAME [--same-as DIR] [same options]

Builds an index of --corpus (or uses --index), generates a reproducible query set
(seeded), and prints recall and precision against substring ground truth, known-item
MRR@10 and query latency, then (for a file index) the Chinese-language figures:
cross-script recall, pinyin suggestions for names, did-you-mean on homophone typos.
--check exits 1 when any misses its target (recall, precision 0.99, MRR@10 0.9;
cross-script recall 0.95, pinyin top-3 0.9, did-you-mean 0.8). --redis-url/--name
evaluate a Redis index; --same-as DIR also checks that every answer equals the file
index DIR's (--check: exit 1 if not).`;

const TARGETS = { recall: 0.99, precision: 0.99, mrr: 0.9 };

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          index: { type: 'string' },
          'redis-url': { type: 'string' },
          name: { type: 'string' },
          'same-as': { type: 'string' },
          seed: { type: 'string', default: '42' },
          check: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: false,
      }),
    USAGE,
  );
  if (!values.corpus && !values.index && !values['redis-url'])
    fail('give --corpus DIR (or --index DIR, or --redis-url URL --name NAME)\n\n' + USAGE, 2);
  if (values['redis-url'] && !values.name) fail('--name is needed with --redis-url', 2);
  const store = values['redis-url']
    ? await RedisIndexStore.connect(values['redis-url'], values.name ?? '').catch((e: Error) => fail(e.message))
    : null;
  const seed = Number(values.seed);
  const log = (s: string): boolean => process.stderr.write(s + '\n');

  let indexDir = values.index;
  let tmp: string | null = null;
  let buildMs: number | null = null;
  if (!indexDir && !store) {
    tmp = mkdtempSync(join(tmpdir(), 'zhsearch-eval-'));
    indexDir = tmp;
    log(`building an index of ${values.corpus} …`);
    const report = await buildIndex({ corpus: values.corpus!, out: indexDir });
    buildMs = report.ms;
    log(
      `built ${report.indexed} documents in ${(report.ms / 1000).toFixed(1)} s (${report.skipped.length} skipped, ${(report.bytes / 1e6).toFixed(1)} MB)`,
    );
  }
  try {
    const t0 = Date.now();
    // No result cache: the latency figures must be computed answers, not repeats. No
    // synonyms: the ground truth is literal substrings.
    const engine = await SearchEngine.open(store ?? indexDir!, { resultCache: 0, synonyms: false });
    const loadMs = Date.now() - t0;
    const posts = [...engine.documents()];
    const qs = makeQuerySet(posts, getSegmenter(), seed, DEFAULT_SIZES);
    const truth = new GroundTruth(posts);

    const tally = new MatchTally();
    const misses: string[] = [];
    for (const q of qs.queries) {
      const expected = truth.ids(q.words);
      const got = new Set(engine.matchIds(q.words.join(' ')));
      const hit = tally.add(q.kind, expected, got);
      if (hit < expected.size || hit < got.size)
        misses.push(`${q.words.join(' ')}: expected ${expected.size}, found ${got.size}, correct ${hit}`);
    }
    const { recall, precision } = rates(tally.all);
    const mrr = mrrAt10(qs.knownItems, (k) => engine.search(k.words.join(' '), { limit: 10, collapse: false }).hits.map((h) => h.id));

    // Latency: top-10 with snippets, after one warm-up pass.
    const texts = [...qs.queries.map((q) => q.words.join(' ')), ...qs.knownItems.map((k) => k.words.join(' '))];
    for (const t of texts) engine.search(t, { limit: 10, collapse: false });
    const lat: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const t of texts) {
        const s = process.hrtime.bigint();
        engine.search(t, { limit: 10, collapse: false });
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }

    let sameAs: Comparison | null = null;
    if (values['same-as']) {
      log(`comparing every answer with the index in ${values['same-as']} …`);
      sameAs = await compareWithIndex(engine, values['same-as'], texts);
    }
    // The Chinese-language figures read the vocabulary from a file index.
    const zh = indexDir ? await zhEval(engine, indexDir, posts, seed) : null;

    const result = {
      index: engine.info().dir,
      sameAs: sameAs && { index: values['same-as'], ...sameAs },
      docs: posts.length,
      queries: qs.queries.length,
      knownItems: qs.knownItems.length,
      seed,
      recall: round4(recall),
      precision: round4(precision),
      mrr10: round4(mrr),
      byKind: Object.fromEntries(
        [...tally.byKind.entries()].map(([k, v]) => {
          const r = rates(v);
          return [k, { queries: r.queries, recall: round4(r.recall), precision: round4(r.precision) }];
        }),
      ),
      latencyMs: { p50: round4(median(lat)), p95: round4(quantile(lat, 0.95)), p99: round4(quantile(lat, 0.99)) },
      buildMs,
      loadMs,
      rssMB: Math.round(process.memoryUsage().rss / 1e6),
      misses: misses.slice(0, 20),
      chinese: zh,
    };
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      process.stdout.write(
        table(
          ['metric', 'value', 'target'],
          [
            ['documents', result.docs, ''],
            ['queries (word/and/latin)', `${result.queries} (${[...tally.byKind.values()].map((v) => v.n).join('/')})`, ''],
            ['recall', result.recall, `≥ ${TARGETS.recall}`],
            ['precision', result.precision, `≥ ${TARGETS.precision}`],
            ['known-item MRR@10', `${result.mrr10} (${result.knownItems} items)`, `≥ ${TARGETS.mrr}`],
            ['query p50 / p95 / p99 ms', `${result.latencyMs.p50} / ${result.latencyMs.p95} / ${result.latencyMs.p99}`, ''],
            ['build s', buildMs === null ? '(existing index)' : (buildMs / 1000).toFixed(1), ''],
            ['load s', (loadMs / 1000).toFixed(2), ''],
            ['RSS MB', result.rssMB, ''],
            ...(zh ? zhRows(zh) : []),
          ],
        ) + '\n',
      );
      for (const [k, v] of Object.entries(result.byKind))
        process.stdout.write(`  ${k}: recall ${v.recall}, precision ${v.precision} over ${v.queries} queries\n`);
      if (sameAs) {
        process.stdout.write(`answers identical to ${values['same-as']}: ${sameAs.identical}/${sameAs.queries} queries\n`);
        for (const d of sameAs.differences) process.stdout.write(`  ${d}\n`);
      }
      if (misses.length > 0) process.stdout.write(`imperfect queries (${misses.length}):\n  ${misses.slice(0, 20).join('\n  ')}\n`);
    }
    if (values.check) {
      const bad = [
        recall < TARGETS.recall && `recall ${recall.toFixed(4)} < ${TARGETS.recall}`,
        precision < TARGETS.precision && `precision ${precision.toFixed(4)} < ${TARGETS.precision}`,
        mrr < TARGETS.mrr && `MRR@10 ${mrr.toFixed(4)} < ${TARGETS.mrr}`,
        sameAs && sameAs.identical < sameAs.queries && `${sameAs.queries - sameAs.identical} answers differ from ${values['same-as']}`,
        ...(zh ? zhMissed(zh) : []),
      ].filter(Boolean);
      if (bad.length > 0) fail(`targets missed: ${bad.join('; ')}`);
      process.stdout.write('eval: all targets met\n');
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    await store?.close();
  }
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

void main();
