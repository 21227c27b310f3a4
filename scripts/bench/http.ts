import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { childMain } from './child';
import { TIMED_KNOWN_ITEMS, type HttpResult, type LoadResult, type QueryFile } from './protocol';

/**
 * HTTP load child: drives a running zhsearch server (started by the parent) with
 * autocannon on 127.0.0.1 only, bounded in connections and time.
 *   run RESULT URL QUERIES DURATION_S
 * First GET /healthz, then GET /api/search?q=… rotating through the query set's
 * queries (URL-encoded), first with `Accept-Encoding: gzip, deflate` (what browsers, fetch,
 * curl --compressed and Python's requests send), then without it. Two sequential passes
 * over the search paths warm the server up (its result cache admits a query the second
 * time it is seen).
 */
const CONNECTIONS = 10;
const CLIENT_ENCODINGS = { 'accept-encoding': 'gzip, deflate' };

childMain({
  run: async ([url, queries, duration]): Promise<HttpResult> => {
    const base = new URL(url);
    if (base.hostname !== '127.0.0.1' && base.hostname !== 'localhost' && base.hostname !== '[::1]') {
      throw new Error(`refusing to load ${url}: only loopback addresses are benchmarked`);
    }
    const durationS = Number(duration);
    if (!(durationS > 0 && durationS <= 60)) throw new Error(`bad duration ${duration}`);
    const qf = JSON.parse(readFileSync(queries, 'utf8')) as QueryFile;
    const paths = [...new Set([...qf.queries, ...qf.knownItems.slice(0, TIMED_KNOWN_ITEMS)].map((q) => `/api/search?q=${encodeURIComponent(q.words.join(' '))}`))];
    if (paths.length === 0) throw new Error('no queries');

    const w0 = performance.now();
    for (let pass = 0; pass < 2; pass++) {
      for (const p of paths) {
        const res = await fetch(new URL(p, base), { headers: CLIENT_ENCODINGS });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`warm-up: GET ${p} answered ${res.status}`);
      }
    }
    const warmupMs = performance.now() - w0;

    const healthz = await load(base, '/healthz', durationS, CLIENT_ENCODINGS);
    let next = 0;
    const rotate = (req: autocannon.Request): autocannon.Request => ({ ...req, path: paths[next++ % paths.length] });
    const search = await load(base, '/api/search?q=<rotating>', durationS, CLIENT_ENCODINGS, rotate);
    next = 0;
    const searchIdentity = await load(base, '/api/search?q=<rotating> (no gzip)', durationS, {}, rotate);
    return { healthz, search, searchIdentity, searchPaths: paths.length, warmupMs };
  },
});

function load(
  base: URL,
  path: string,
  durationS: number,
  headers: Record<string, string>,
  setupRequest?: (req: autocannon.Request) => autocannon.Request,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base.origin,
        connections: CONNECTIONS,
        duration: durationS,
        headers,
        requests: [setupRequest ? { method: 'GET', setupRequest } : { method: 'GET', path }],
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          path,
          durationS,
          connections: CONNECTIONS,
          requests: r.requests.total,
          rps: r.requests.average,
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
        });
      },
    );
    // A bounded run: never longer than the duration plus a grace period.
    const guard = setTimeout(() => instance.stop(), (durationS + 30) * 1000);
    guard.unref();
    instance.on('done', () => clearTimeout(guard));
  });
}
