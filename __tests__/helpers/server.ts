import { request as httpRequest } from 'node:http';
import { buildIndex, type BuildReport } from '../../src/indexer/build';
import type { ServerConfig } from '../../src/server/config';
import { startServer, type RunningServer } from '../../src/server/main';
import { renderPost, tempCorpus, tempDir, type TestPost } from './corpus';

/** Posts keyed by their path in the corpus (e.g. `2021/2021-03-01-x.md`). */
export type PostFiles = Record<string, TestPost>;

/** Render posts into corpus files. */
export function renderFiles(posts: PostFiles): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [path, p] of Object.entries(posts)) files[path] = renderPost(p);
  return files;
}

/** A corpus folder plus an index built from it (in this thread, no workers). */
export interface BuiltIndex {
  corpusDir: string;
  indexDir: string;
  report: BuildReport;
  cleanup: () => void;
}

/** Write `files` to a temp corpus and build a real index of it into a temp folder. */
export async function buildTempIndex(files: Record<string, string | Buffer>): Promise<BuiltIndex> {
  const corpus = tempCorpus(files);
  const out = tempDir();
  const report = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
  return {
    corpusDir: corpus.dir,
    indexDir: out.dir,
    report,
    cleanup: () => {
      corpus.cleanup();
      out.cleanup();
    },
  };
}

/** Start the real server on an ephemeral loopback port. */
export function startTestServer(indexDir: string, overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  return startServer({
    port: 0,
    host: '127.0.0.1',
    indexDir,
    corsOrigins: [],
    rateLimit: 0,
    logLevel: 'silent',
    heapGrowingPercent: 0,
    ...overrides,
  });
}

/** A raw HTTP answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes as received (still compressed if the server compressed them). */
  raw: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * Send one request with the path exactly as given (no URL normalization, unlike fetch:
 * `..` and bad percent-encodings reach the server untouched).
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: options.method ?? 'GET',
        path,
        headers: { connection: 'close', ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text, json });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
