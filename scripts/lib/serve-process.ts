import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One JSON log line of the server. */
export type LogLine = Record<string, unknown>;

/** A compiled server (`dist/scripts/serve.js`) running as a child process. */
export interface ServeProcess {
  proc: ChildProcess;
  /** Log lines so far (stdout, JSON). */
  lines: LogLine[];
  stderr: () => string;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first log line (past or future) matching `pred`. */
  waitForLine: (label: string, pred: (l: LogLine) => boolean, timeoutMs?: number) => Promise<LogLine>;
  /** The first log line with this `msg`. */
  waitFor: (msg: string) => Promise<LogLine>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. */
  stop: (graceMs?: number) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lines counted, not parsed, after the `stopParsingAfter` line (0 without that option). */
  countedLines: () => number;
}

/** Options of {@link spawnServe}. */
export interface SpawnOptions {
  stderr?: 'pipe' | 'inherit';
  /** Script and arguments run instead of dist/scripts/serve.js (e.g. the CLI's `serve`). */
  args?: string[];
  /**
   * Once a line matching this is seen, later lines are only counted (see countedLines),
   * not parsed or kept: under a load test every request logs a line, and parsing them
   * would take CPU from the server being measured.
   */
  stopParsingAfter?: (l: LogLine) => boolean;
}

/** The repository root, found from this file in scripts/lib/ or dist/scripts/lib/. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Start `dist/scripts/serve.js` with these environment variables on top of this process's own. */
export function spawnServe(env: NodeJS.ProcessEnv, options: SpawnOptions = {}): ServeProcess {
  const root = repoRoot();
  const proc = spawn(process.execPath, options.args ?? [join(root, 'dist', 'scripts', 'serve.js')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  let buf = '';
  let stderr = '';
  let counting = false;
  let counted = 0;
  const countLines = (text: string): void => {
    for (const c of text) if (c === '\n') counted++;
  };
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    if (counting) return countLines(d);
    buf += d;
    let nl: number;
    while (!counting && (nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let entry: LogLine;
      try {
        entry = JSON.parse(line) as LogLine;
      } catch {
        continue;
      }
      lines.push(entry);
      for (const w of [...waiters]) {
        if (w.pred(entry)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
      if (options.stopParsingAfter?.(entry)) {
        counting = true;
        countLines(buf);
        buf = '';
      }
    }
  });
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => {
      gone = true;
      resolve({ code, signal });
    }),
  );
  const waitForLine = (label: string, pred: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> => {
    const seen = lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${label} log line; stderr: ${stderr}`)), timeoutMs);
      waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  };
  const stop = async (graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (!gone) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const r = await exited;
    clearTimeout(timer);
    return r;
  };
  return {
    proc,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine,
    waitFor: (msg) => waitForLine(JSON.stringify(msg), (l) => l.msg === msg),
    stop,
    countedLines: () => counted,
  };
}

/** True for the server's "listening" log line (it carries the URL). */
export function isListening(l: LogLine): boolean {
  return l.msg === 'listening' && typeof l.url === 'string';
}

/**
 * The URL of a spawned server once it logs "listening" (LOG_LEVEL info); rejects when it
 * exits first or does not listen within `timeoutMs`.
 */
export async function untilListening(server: ServeProcess, timeoutMs: number): Promise<string> {
  const listening = server.waitForLine('listening', isListening, timeoutMs);
  listening.catch(() => undefined); // observed below, or abandoned when the server exits first
  const exitedFirst = server.exited.then(({ code, signal }) => new Error(`server exited before listening (${signal ?? `code ${code}`})`));
  const first = await Promise.race([listening, exitedFirst]);
  if (first instanceof Error) throw first;
  return String(first.url);
}

/**
 * Start the server on 127.0.0.1:`port` and wait until it answers /healthz (and, with
 * `listeners` > 1, until that many workers logged "listening", which needs LOG_LEVEL info).
 * Throws, with the server stopped, when it exits first or takes longer than `timeoutMs`.
 */
export async function startServe(
  env: NodeJS.ProcessEnv,
  port: number,
  options: { listeners?: number; timeoutMs?: number; stderr?: 'pipe' | 'inherit' } = {},
): Promise<ServeProcess & { url: string }> {
  const server = spawnServe({ ...env, PORT: String(port), HOST: '127.0.0.1' }, { stderr: options.stderr });
  let gone = false;
  void server.exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const listeners = options.listeners ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  for (;;) {
    if (gone) throw new Error(`the server exited while starting: ${server.stderr().trim()}`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the server did not start within ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s`);
    }
    const up = listeners <= 1 || server.lines.filter((l) => l.msg === 'listening').length >= listeners;
    if (up && (await fetch(url + '/healthz').catch(() => null))?.ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ...server, url };
}
