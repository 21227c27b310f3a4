import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../lib/stats';
import { SPAWN_ENV, TIMED_KNOWN_ITEMS, type BenchQuery, type ChildOutput, type QueryFile, type QueryResult } from './protocol';

/**
 * Entry point of a benchmark child: `node <script> <mode> <resultFile> …args`. Runs the
 * handler for `mode`, writes its result (or the error) to resultFile, and exits. The
 * child also exits when its parent goes away, so nothing outlives an interrupted run.
 */
export function childMain(handlers: Record<string, (args: string[]) => Promise<unknown>>): void {
  const [mode, resultFile, ...args] = process.argv.slice(2);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
  const write = (out: ChildOutput<unknown>): void => {
    if (resultFile) writeFileSync(resultFile, JSON.stringify(out));
  };
  const handler = handlers[mode];
  if (!handler || !resultFile) {
    process.stderr.write(`usage: ${process.argv[1]} ${Object.keys(handlers).join('|')} RESULT_FILE …args\n`);
    process.exit(2);
  }
  handler(args).then(
    (result) => {
      write({ ok: true, result });
      process.exit(0);
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${process.argv[1]} ${mode}: ${err instanceof Error ? err.stack : message}\n`);
      write({ ok: false, error: message });
      process.exit(1);
    },
  );
}

/** Bytes of every file below `dir`. */
export function dirSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? dirSize(p) : st.size;
  }
  return total;
}

/** process.resourceUsage().maxRSS: KB on Linux and macOS. */
export function maxRssKB(): number {
  return process.resourceUsage().maxRSS;
}

/** Milliseconds since the parent spawned this process (falls back to process start). */
export function sinceSpawnMs(): number {
  const t0 = Number(process.env[SPAWN_ENV]);
  return Number.isFinite(t0) && t0 > 0 ? Date.now() - t0 : performance.now();
}

/** An engine as the query runner sees it. `words` are normalized and all required. */
export interface QueryAdapter {
  /** Every matching id, unranked (recall/precision). */
  matchIds(words: string[]): string[];
  /** The top 10 ids, produced the way a search page would (ranking, plus snippets where the engine has them). */
  top10(words: string[]): string[];
  /** What a top-10 answer includes (footnote). */
  answer: string;
  /** The top 10 of a query string as a user typed it (free text, operators); a rejected query returns normally. */
  raw?(query: string): void;
  /** Work the engine defers past its first answer, done before RSS is read (zhsearch: jieba's dictionary, as the server loads it right after listening). */
  afterFirstAnswer?: () => void;
}

/**
 * The query phase shared by every engine: open (timed), first answer (cold start),
 * every matching id per query, top 10 per known item, one warm-up pass, then `runs`
 * timed passes of top-10 searches over the queries and the first known items; the median
 * time per query is reported.
 */
export async function runQueryPhase(queryFile: string, open: () => Promise<QueryAdapter> | QueryAdapter): Promise<QueryResult> {
  const qf = JSON.parse(readFileSync(queryFile, 'utf8')) as QueryFile;
  const t0 = performance.now();
  const engine = await open();
  const loadMs = performance.now() - t0;
  const all: BenchQuery[] = [...qf.queries, ...qf.knownItems.slice(0, TIMED_KNOWN_ITEMS)];
  if (all.length > 0) engine.top10(all[0].words);
  const coldStartMs = sinceSpawnMs();
  if (qf.coldOnly) {
    const rss = Math.round(process.memoryUsage().rss / 1024);
    return {
      coldStartMs,
      loadMs,
      rssAfterLoadKB: rss,
      rssEndKB: rss,
      maxRssKB: maxRssKB(),
      matched: [],
      knownTop: [],
      latencyMs: [],
      answer: engine.answer,
    };
  }
  engine.afterFirstAnswer?.();
  const rssAfterLoadKB = Math.round(process.memoryUsage().rss / 1024);

  const matched = qf.queries.map((q) => engine.matchIds(q.words));
  const knownTop = qf.knownItems.map((q) => engine.top10(q.words));

  for (const q of all) engine.top10(q.words); // warm-up
  const times: number[][] = all.map(() => []);
  for (let round = 0; round < Math.max(1, qf.runs); round++) {
    for (let i = 0; i < all.length; i++) {
      const s = process.hrtime.bigint();
      engine.top10(all[i].words);
      times[i].push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  }
  const raw = engine.raw?.bind(engine);
  const timeRaw = (qs: readonly string[]): number[] => {
    if (!raw) return [];
    for (const q of qs) raw(q); // warm-up
    return qs.map((q) => {
      const t: number[] = [];
      for (let round = 0; round < Math.max(3, qf.runs); round++) {
        const s = process.hrtime.bigint();
        raw(q);
        t.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      return median(t);
    });
  };
  const freeTextMs =
    raw && qf.freeText ? { questions: timeRaw(qf.freeText.questions), pathological: timeRaw(qf.freeText.pathological) } : undefined;
  return {
    coldStartMs,
    loadMs,
    rssAfterLoadKB,
    rssEndKB: Math.round(process.memoryUsage().rss / 1024),
    maxRssKB: maxRssKB(),
    matched,
    knownTop,
    latencyMs: times.map((t) => median(t)),
    answer: engine.answer,
    freeTextMs,
  };
}

/** Tokens worth indexing: jieba also returns spaces, newlines and punctuation. */
export function isToken(t: string): boolean {
  return /[\p{L}\p{N}]/u.test(t);
}
