import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpuSeconds } from '../lib/proc';
import { childMain } from './child';
import { TIMED_KNOWN_ITEMS, type HttpClient, type HttpResult, type LoadResult, type QueryFile } from './protocol';

/**
 * HTTP load child: drives a running zhsearch server (started by the parent) on 127.0.0.1
 * only, bounded in connections and time.
 *   run RESULT URL QUERIES DURATION_S SERVER_PID
 * First GET /healthz, then GET /api/search?q=… rotating through the query set's
 * queries (URL-encoded), first with `Accept-Encoding: gzip, deflate` (what browsers, fetch,
 * curl --compressed and Python's requests send), then without it. Two sequential passes
 * over the search paths warm the server up (its result cache admits a query the second
 * time it is seen).
 *
 * The load comes from wrk when it is installed (Debian's `wrk`), else from autocannon
 * (ZHSEARCH_BENCH_HTTP_CLIENT=autocannon forces it). On two cores the client shares the
 * machine with the server, and autocannon (JavaScript) needs about as much CPU per request
 * as the server: it saturates its core first, so its requests/s measure the client.
 * Each load reports the server's CPU use, which shows which side was the limit.
 */
const CONNECTIONS = 10;
const CLIENT_ENCODINGS = { 'accept-encoding': 'gzip, deflate' };

interface Load {
  label: string;
  /** One path, or several to rotate through. */
  paths: string[];
  headers: Record<string, string>;
}

childMain({
  run: async ([url, queries, duration, serverPid]): Promise<HttpResult> => {
    const base = new URL(url);
    if (base.hostname !== '127.0.0.1' && base.hostname !== 'localhost' && base.hostname !== '[::1]') {
      throw new Error(`refusing to load ${url}: only loopback addresses are benchmarked`);
    }
    const durationS = Number(duration);
    if (!(durationS > 0 && durationS <= 60)) throw new Error(`bad duration ${duration}`);
    const pid = Number(serverPid);
    const qf = JSON.parse(readFileSync(queries, 'utf8')) as QueryFile;
    const paths = [
      ...new Set(
        [...qf.queries, ...qf.knownItems.slice(0, TIMED_KNOWN_ITEMS)].map((q) => `/api/search?q=${encodeURIComponent(q.words.join(' '))}`),
      ),
    ];
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

    const client = httpClient();
    const run = async (load: Load): Promise<LoadResult> => {
      const cpu0 = processCpuSeconds(pid);
      const t0 = performance.now();
      const r = client === 'wrk' ? await wrk(base, load, durationS) : await autocannonLoad(base, load, durationS);
      const serverCpu = (processCpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
      return { ...r, serverCpu: Math.round(serverCpu * 100) / 100 };
    };
    const healthz = await run({ label: '/healthz', paths: ['/healthz'], headers: CLIENT_ENCODINGS });
    const search = await run({ label: '/api/search?q=<rotating>', paths, headers: CLIENT_ENCODINGS });
    const searchIdentity = await run({ label: '/api/search?q=<rotating> (no gzip)', paths, headers: {} });
    return { client, healthz, search, searchIdentity, searchPaths: paths.length, warmupMs };
  },
});

function httpClient(): HttpClient {
  if (process.env.ZHSEARCH_BENCH_HTTP_CLIENT === 'autocannon') return 'autocannon';
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version prints its usage and exits 1; only a missing binary is fatal here.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'autocannon';
  }
  return 'wrk';
}

type Measured = Omit<LoadResult, 'serverCpu'>;

/** One wrk run (one thread: the other core is the server's); paths rotate through a Lua script. */
async function wrk(base: URL, load: Load, durationS: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'zhsearch-wrk-'));
  try {
    const script = join(dir, 'load.lua');
    // Percent-encoded paths are plain ASCII, so JSON string literals are valid Lua strings.
    writeFileSync(
      script,
      `local paths = {${load.paths.map((p) => JSON.stringify(p)).join(',')}}\n` +
        `local i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n`,
    );
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${durationS}s`, '--latency', '-s', script];
    for (const [k, v] of Object.entries(load.headers)) args.push('-H', `${k}: ${v}`);
    args.push(base.origin);
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
      // A bounded run: never longer than the duration plus a grace period.
      const guard = setTimeout(() => p.kill('SIGKILL'), (durationS + 30) * 1000);
      p.on('error', reject);
      p.on('close', (code) => {
        clearTimeout(guard);
        if (code === 0) resolve(text);
        else reject(new Error(`wrk exited with ${code}: ${text.slice(-500)}`));
      });
    });
    return parseWrk(out, load, durationS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures of wrk's --latency report. */
function parseWrk(out: string, load: Pick<Load, 'label'>, durationS: number): Measured {
  const num = (re: RegExp): number => {
    const m = re.exec(out);
    if (!m) throw new Error(`wrk output without ${re.source}:\n${out.slice(0, 1000)}`);
    return Number(m[1]);
  };
  const ms = (pct: string): number => {
    const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`wrk output without its ${pct}% latency:\n${out.slice(0, 1000)}`);
    const us = Number(m[1]) * (m[2] === 'us' ? 1 : m[2] === 's' ? 1e6 : 1000);
    return Math.round(us) / 1000; // whole microseconds: 347us is 0.347, not 0.34700000000000003
  };
  // Absent when there were none.
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  // "246646 requests in 10.10s, 1.03GB read" (binary units)
  const total = /(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB|TB) read/.exec(out);
  if (!total) throw new Error(`wrk output without its request count:\n${out.slice(0, 1000)}`);
  return {
    path: load.label,
    durationS,
    connections: CONNECTIONS,
    requests: Number(total[1]),
    bytesRead: Math.round(Number(total[2]) * 1024 ** ['B', 'KB', 'MB', 'GB', 'TB'].indexOf(total[3])),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: ms('50'),
    p99Ms: ms('99'),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    errors: sockets ? Number(sockets[1]) + Number(sockets[2]) + Number(sockets[3]) : 0,
    timeouts: sockets ? Number(sockets[4]) : 0,
  };
}

function autocannonLoad(base: URL, load: Load, durationS: number): Promise<Measured> {
  let next = 0;
  const rotate = (req: autocannon.Request): autocannon.Request => ({ ...req, path: load.paths[next++ % load.paths.length] });
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base.origin,
        connections: CONNECTIONS,
        duration: durationS,
        headers: load.headers,
        requests: [load.paths.length > 1 ? { method: 'GET', setupRequest: rotate } : { method: 'GET', path: load.paths[0] }],
      },
      (err, r) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve({
          path: load.label,
          durationS,
          connections: CONNECTIONS,
          requests: r.requests.total,
          bytesRead: r.throughput.total,
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
