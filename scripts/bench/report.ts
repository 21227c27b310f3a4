import type { EvalQuery } from '../lib/queryset';
import { median, quantile, table } from '../lib/stats';
import type { EngineRun, QuerySetData } from './engine-run';
import { fmtMs, mb, times } from './format';
import { PATHOLOGICAL } from './free-text';
import type { HttpOutcome } from './http-bench';
import { TIMED_KNOWN_ITEMS, type EngineName } from './protocol';
import { COLD_START_SAMPLES, QUICK_POSTS, SEED } from './settings';

/** What the report says about the run besides the engines' figures. */
export interface RenderContext {
  corpus: string;
  scale: number;
  quick: boolean;
  runs: number;
  docs: number;
  qs: QuerySetData;
  httpSeconds: number;
  /** The same load test on a server with 2 workers (not in the quick variant). */
  twoWorkers?: HttpOutcome | null;
  /** The same load tests (1 and 2 processes) on an index built with @node-rs/jieba (not in the quick variant). */
  nodeRs?: { one: HttpOutcome; two: HttpOutcome } | null;
}

/** zhsearch against one baseline on one figure. */
export interface Ratio {
  baseline: EngineName;
  metric: string;
  /** baseline / zhsearch: above 1, zhsearch is faster / smaller / uses less. */
  factor: number | null;
  text: string;
}

/** Latency of the free-text questions (p50/p95) and the slowest pathological query. */
function freeTextLine(label: string, ms: { questions: number[]; pathological: number[] }): string {
  const q = ms.questions;
  let worst = -1;
  ms.pathological.forEach((t, i) => {
    if (worst < 0 || t > ms.pathological[worst]) worst = i;
  });
  const w =
    worst >= 0
      ? `; slowest pathological query (of ${ms.pathological.length}): ${PATHOLOGICAL[worst].label} ${fmtMs(ms.pathological[worst])} ms`
      : '';
  return `${label}: ${q.length} questions and free-text queries p50 ${fmtMs(median(q))} / p95 ${fmtMs(quantile(q, 0.95))} ms${w}`;
}

/** The printed report (table, notes, ratios, HTTP figures) and the ratios for --json. */
export function render(runs: EngineRun[], http: HttpOutcome | null, ctx: RenderContext): { text: string; ratios: Ratio[] } {
  const lines: string[] = [];
  const kinds = countKinds(ctx.qs.queries);
  lines.push(
    `corpus ${ctx.corpus}${ctx.quick ? ` (first ${QUICK_POSTS} posts)` : ''}${ctx.scale > 1 ? ` ×${ctx.scale}` : ''}: ${ctx.docs} documents; ` +
      `${ctx.qs.queries.length} queries (${Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ', ',
        )}) + ${ctx.qs.knownItems.length} known items, seed ${SEED}; latency: median of ${ctx.runs} run(s) per query after a warm-up pass ` +
      `over the queries and the first ${Math.min(TIMED_KNOWN_ITEMS, ctx.qs.knownItems.length)} known items`,
  );
  lines.push('');
  const header = [
    'engine',
    'build s',
    'build RSS MB',
    'index MB',
    'cold start s',
    'RSS MB',
    'recall',
    'precision',
    'MRR@10',
    'p50 ms',
    'p95 ms',
    'p99 ms',
  ];
  const rows = runs.map((r) => {
    if (r.error && !r.build && !r.query) return [r.label, 'ERROR (below)', ...header.slice(2).map(() => '')];
    const b = r.build;
    const q = r.query;
    const m = r.metrics;
    return [
      r.label,
      b ? `${(b.ms / 1000).toFixed(1)}${b.parseMs !== null ? ` (${(b.parseMs / 1000).toFixed(1)})` : ''}` : '-',
      b ? mb(b.maxRssKB * 1024) : '-',
      b ? mb(b.bytes) : '-',
      q ? (q.coldStartMs / 1000).toFixed(2) : r.error ? 'ERROR (below)' : '-',
      q ? mb(q.rssAfterLoadKB * 1024) : '-',
      m ? m.recall.toFixed(4) : '-',
      m ? m.precision.toFixed(4) : '-',
      m ? m.mrr10.toFixed(3) : '-',
      m ? fmtMs(m.latencyMs.p50) : '-',
      m ? fmtMs(m.latencyMs.p95) : '-',
      m ? fmtMs(m.latencyMs.p99) : '-',
    ];
  });
  lines.push(table(header, rows));
  for (const r of runs) if (r.error) lines.push(`ERROR ${r.label}: ${r.error}`);
  for (const r of runs) if (r.query?.freeTextMs) lines.push(freeTextLine(r.label, r.query.freeTextMs));
  const scored = runs.filter((r) => r.metrics);
  if (scored.length > 0)
    lines.push(
      `queries not answered exactly (a missed or a wrong document), and recall averaged per query: ${scored
        .map((r) => `${r.label} ${r.metrics!.imperfectQueries}/${ctx.qs.queries.length}, ${r.metrics!.macroRecall.toFixed(4)}`)
        .join('; ')}`,
    );
  lines.push(
    'build s: corpus folder → index on disk, including reading and parsing the HTML (in parentheses: parsing, for the',
    '  single-threaded baselines; zhsearch parses in its build workers). build RSS: peak RSS of the build process.',
    `cold start: from spawning a fresh process to its first answered query, median of ${COLD_START_SAMPLES} spawns. RSS: after loading and the first query`,
    "  (zhsearch: and after loading jieba's dictionary, which it defers past the first answer as the server does, with",
    "  the server's heap setting HEAP_GROWING_PERCENT=20;",
    '  SQLite reads its file on demand through the OS page cache). recall/precision: micro-averaged against substring',
    '  ground truth (GroundTruth.ids). latency: in-process, one top-10 answer per query:',
  );
  for (const r of runs) if (r.query) lines.push(`    ${r.label}: ${r.query.answer}`);
  if (ctx.scale > 1)
    lines.push(`MRR@10 with --scale ${ctx.scale}: only the post picked as target counts, its near-identical copies compete with it.`);

  const ratios: Ratio[] = [];
  const z = runs.find((r) => r.engine === 'zhsearch');
  if (z?.metrics && z.build && z.query) {
    lines.push('');
    lines.push('zhsearch compared with each baseline (same run):');
    for (const r of runs) {
      if (r.engine === 'zhsearch' || r.engine === 'zhsearch-rs') continue;
      if (!r.metrics || !r.build || !r.query) {
        lines.push(`  vs ${r.label}: no numbers (${r.error ?? 'missing'})`);
        continue;
      }
      const items: Ratio[] = [
        ratio(r, 'p50', z.metrics.latencyMs.p50, r.metrics.latencyMs.p50, ['faster', 'slower']),
        ratio(r, 'p95', z.metrics.latencyMs.p95, r.metrics.latencyMs.p95, ['faster', 'slower']),
        ratio(r, 'build', z.build.ms, r.build.ms, ['faster', 'slower']),
        ratio(r, 'index', z.build.bytes, r.build.bytes, ['smaller', 'larger']),
        ratio(r, 'RSS after load', z.query.rssAfterLoadKB, r.query.rssAfterLoadKB, ['less', 'more']),
        ratio(r, 'build peak RSS', z.build.maxRssKB, r.build.maxRssKB, ['less', 'more']),
        ratio(r, 'cold start', z.query.coldStartMs, r.query.coldStartMs, ['faster', 'slower']),
      ];
      ratios.push(...items);
      lines.push(`  vs ${r.label}: ${items.map((i) => i.text).join(', ')}`);
    }
  }

  if (http) {
    lines.push('');
    if (http.result) {
      const h = http.result;
      lines.push(
        `HTTP (zhsearch server, ${h.client} on 127.0.0.1, ${h.healthz.connections} connections, ${ctx.httpSeconds} s each, after two passes over the ${h.searchPaths} search URLs):`,
      );
      lines.push(
        table(
          ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'timeouts', 'server CPU', 'KB/answer'],
          [h.healthz, h.search, h.searchIdentity].map((l) => [
            l.path,
            l.requests,
            l.rps.toFixed(0),
            l.p50Ms,
            l.p99Ms,
            l.non2xx,
            l.errors,
            l.timeouts,
            Number.isFinite(l.serverCpu) ? `${Math.round(l.serverCpu * 100)} %` : 'n/a',
            l.requests > 0 ? (l.bytesRead / l.requests / 1024).toFixed(2) : 'n/a',
          ]),
        ),
      );
      const rr = h.healthz.rps > 0 ? h.search.rps / h.healthz.rps : NaN;
      const ri = h.healthz.rps > 0 ? h.searchIdentity.rps / h.healthz.rps : NaN;
      const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
      lines.push(
        `search/healthz req/s = ${fmt(rr)} (target ≥ 0.6: ${rr >= 0.6 ? 'met' : 'MISSED'}); without gzip ${fmt(ri)}`,
        `(requests send Accept-Encoding: gzip, deflate as browsers and HTTP libraries do, except the "no gzip" row.`,
        ` server CPU: of one core during the load; well under 100 % means the load generator, which shares the two`,
        ` cores, was the limit${h.client === 'autocannon' ? ': install wrk (Debian package) for a client that needs less CPU per request' : ''}.`,
        ` KB/answer: bytes received per response, headers included)`,
      );
      lines.push(`(server run with LOG_LEVEL=info, as deployed: every request is logged; ${http.requestsLogged} log lines)`);
      lines.push(
        `server RSS: ${http.rss.listening} MB when listening (index loaded; jieba's dictionary loads in a worker thread meanwhile), ${http.rss.after} MB after the load test`,
      );
      if (ctx.twoWorkers) lines.push(twoWorkersLine(ctx.twoWorkers, http, TWO_WORKERS_MAX, '2 workers'));
    } else {
      lines.push(`HTTP: ERROR ${http.error}`);
    }
  }
  if (ctx.nodeRs) lines.push(...nodeRsLines(ctx.nodeRs.one, ctx.nodeRs.two));
  return { text: lines.join('\n'), ratios };
}

/** Targets of issue #20: two processes' memory against one's, with nodejieba and with @node-rs/jieba; one process's RSS with @node-rs/jieba. */
const TWO_WORKERS_MAX = 1.8;
const TWO_WORKERS_MAX_NODE_RS = 1.4;
const RSS_MAX_NODE_RS_MB = 150;

/** The server on the @node-rs/jieba index: its RSS with one process, and two processes against one. */
export function nodeRsLines(one: HttpOutcome, two: HttpOutcome): string[] {
  if (!one.result) return [`zhsearch @node-rs/jieba server: ERROR ${one.error}`];
  const worst = Math.max(one.rss.listening, one.rss.after);
  const met = Number.isFinite(worst) ? (worst <= RSS_MAX_NODE_RS_MB ? 'met' : 'MISSED') : 'n/a';
  return [
    `zhsearch @node-rs/jieba server (the same load test on an index built with @node-rs/jieba): search ${one.result.search.rps.toFixed(0)} req/s;`,
    ` RSS ${one.rss.listening} MB when listening, ${one.rss.after} MB after the load test (target ≤ ${RSS_MAX_NODE_RS_MB} MB: ${met})`,
    twoWorkersLine(two, one, TWO_WORKERS_MAX_NODE_RS, ' @node-rs/jieba, 2 workers'),
  ];
}

/** The 2-worker server's throughput and memory against one process's, after the same load test (target: at most `max` times), under `label`. */
function twoWorkersLine(two: HttpOutcome, one: HttpOutcome, max: number, label: string): string {
  if (!two.result) return `${label}: ERROR ${two.error}`;
  const rss = two.tree.rss / one.tree.rss;
  const pss = two.tree.pss / one.tree.pss;
  const met = (x: number): string => (Number.isFinite(x) ? (x <= max ? 'met' : 'MISSED') : 'n/a');
  return [
    `${label} (--workers 2, the same load test): search ${two.result.search.rps.toFixed(0)} req/s (one process ${one.result?.search.rps.toFixed(0) ?? 'n/a'});`,
    ` memory of all the server's processes after it: RSS ${two.tree.rss} MB = ${rss.toFixed(2)}× one process's ${one.tree.rss} MB (target ≤ ${max}×: ${met(rss)}),`,
    ` PSS ${two.tree.pss} MB = ${pss.toFixed(2)}× (PSS divides a page the processes share among them; RSS counts it in each)`,
  ].join('\n');
}

function ratio(r: EngineRun, metric: string, zh: number, base: number, words: [string, string]): Ratio {
  if (!(zh > 0) || !(base > 0)) return { baseline: r.engine, metric, factor: null, text: `${metric} n/a` };
  const f = base / zh;
  const text = f >= 1 ? `${metric} ${times(f)} ${words[0]}` : `${metric} ${times(1 / f)} ${words[1]}`;
  return { baseline: r.engine, metric, factor: Math.round(f * 1000) / 1000, text };
}

/** Queries of each kind. */
export function countKinds(qs: EvalQuery[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of qs) out[q.kind] = (out[q.kind] ?? 0) + 1;
  return out;
}
