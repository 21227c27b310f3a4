import type { HttpOutcome } from '../scripts/bench/http-bench';
import type { LoadResult } from '../scripts/bench/protocol';
import { nodeRsLines } from '../scripts/bench/report';

/** A load result with the given requests per second (the other fields as a short run gives them). */
function load(rps: number): LoadResult {
  return {
    path: '/x',
    durationS: 10,
    connections: 10,
    requests: rps * 10,
    rps,
    p50Ms: 0.5,
    p99Ms: 2,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    bytesRead: 1000,
    serverCpu: 1,
  };
}

/** A server's outcome: RSS when listening and after the load, and every process's memory together. */
function outcome(rss: [number, number], tree: number, workers: number): HttpOutcome {
  return {
    result: { client: 'wrk', healthz: load(20000), search: load(12000), searchIdentity: load(12000), searchPaths: 300, warmupMs: 100 },
    error: null,
    requestsLogged: 0,
    rss: { listening: rss[0], after: rss[1] },
    tree: { rss: tree, pss: tree * 0.8 },
    workers,
  };
}

test('the @node-rs/jieba server lines judge RSS against 150 MB and two processes against 1.4x one', () => {
  const missed = nodeRsLines(outcome([140, 173], 173, 1), outcome([0, 0], 300, 2)).join('\n');
  expect(missed).toContain('RSS 140 MB when listening, 173 MB after the load test (target ≤ 150 MB: MISSED)');
  expect(missed).toContain("RSS 300 MB = 1.73× one process's 173 MB (target ≤ 1.4×: MISSED)");
  const met = nodeRsLines(outcome([120, 148], 148, 1), outcome([0, 0], 200, 2)).join('\n');
  expect(met).toContain('(target ≤ 150 MB: met)');
  expect(met).toContain("= 1.35× one process's 148 MB (target ≤ 1.4×: met)");
  expect(met.split('\n')[2]).toMatch(/^ @node-rs\/jieba, 2 workers /);
});

test('a server that failed is reported as an error, not as figures', () => {
  const failed: HttpOutcome = { ...outcome([NaN, NaN], NaN, 1), result: null, error: 'server died during the load test' };
  expect(nodeRsLines(failed, outcome([0, 0], 300, 2))).toEqual(['zhsearch @node-rs/jieba server: ERROR server died during the load test']);
});
