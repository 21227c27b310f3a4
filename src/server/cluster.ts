import cluster, { type Worker } from 'node:cluster';
import type { Readable, Writable } from 'node:stream';
import { serveSegmenter } from '../analysis/segmenter-service';
import { getThreadedSegmenter, useSharedSegmenter } from '../analysis/segmenter-thread';
import { wholeNumber, wholeNumberRule } from '../engine/options';
import { createLogger, type LogLevel } from './log';

/** Largest --workers accepted (more processes than this is a typo, not a deployment). */
export const MAX_WORKERS = 64;

/**
 * Parse a worker count from `--workers` or WORKERS; the message names the parameter.
 * Returns 1 when neither is given.
 */
export function parseWorkers(flag: string | undefined, env: string | undefined = process.env.WORKERS): number {
  const [raw, name] = flag !== undefined ? [flag, '--workers'] : [env, 'WORKERS'];
  if (raw === undefined || raw === '') return 1;
  const n = wholeNumber(raw, 1, MAX_WORKERS);
  if (n === null) throw new Error(`${wholeNumberRule(name, 1, MAX_WORKERS)} (got ${JSON.stringify(raw)})`);
  return n;
}

/** A worker's file descriptors of its pipe pair to the primary's segmenter (the primary's stdio below). */
const SEGMENTER_FDS = 'ZHSEARCH_SEGMENTER_FDS';
const WORKER_STDIO = ['inherit', 'inherit', 'inherit', 'ipc', 'pipe', 'pipe'] as const;

/**
 * Serve with `n` processes sharing one port (node:cluster): the primary forks the
 * workers, each of which runs `startWorker` (a full server with its own engine), and
 * restarts a worker that dies. The primary holds the one jieba dictionary the workers
 * segment queries with (on its segmenter thread), through a pipe pair each
 * (analysis/segmenter-service.ts): a dictionary per worker would be most of each
 * worker's memory. SIGHUP is passed to every worker (each reloads the index); a reload
 * asked of one worker (POST /admin/reload) is passed to the others;
 * SIGTERM/SIGINT stop the workers gracefully, then the primary exits.
 *
 * Returns true in the primary (which must do nothing else), false in a worker or when
 * `n` is 1 (the caller then serves in this process).
 */
export function runCluster(n: number, logLevel: LogLevel): boolean {
  // Set in the workers forked below (only they have the pipe pair): segment through the primary.
  if (!cluster.isPrimary) {
    const fds = /^(\d+),(\d+)$/.exec(process.env[SEGMENTER_FDS] ?? '');
    if (fds) useSharedSegmenter({ request: Number(fds[1]), answer: Number(fds[2]) });
    return false;
  }
  if (n <= 1) return false;
  const log = createLogger(logLevel);
  cluster.setupPrimary({ stdio: [...WORKER_STDIO] });
  let stopping = false;
  const restarts: number[] = [];
  // Only workers that listen have their signal handlers: SIGHUP would kill one still loading.
  const listening = new Set<Worker>();
  cluster.on('listening', (w) => listening.add(w));
  const fork = (): Worker => {
    const w = cluster.fork({ [SEGMENTER_FDS]: '4,5' });
    const pipes = w.process.stdio as ReadonlyArray<unknown>;
    serveSegmenter(pipes[4] as Readable, pipes[5] as Writable, getThreadedSegmenter);
    w.on('message', (msg: { zhsearch?: string }) => {
      if (msg?.zhsearch !== 'reload-others') return;
      for (const other of listening) if (other !== w) other.process.kill('SIGHUP');
    });
    return w;
  };
  for (let i = 0; i < n; i++) fork();
  log.info('cluster started', { workers: n, pid: process.pid });

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // Restart, but not in a tight loop when workers die at start (bad index, port taken).
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
    if (restarts.length > 5 * n) {
      log.error('workers keep dying: giving up', { code, signal });
      process.exit(1);
    }
    log.error('worker died: starting another', { pid: worker.process.pid, code, signal });
    setTimeout(fork, 500);
  });
  process.on('SIGHUP', () => {
    log.info('SIGHUP: reloading the index in every worker');
    for (const w of listening) w.process.kill('SIGHUP');
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      log.info(`${sig}: stopping the workers after requests in flight`);
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
      if (alive.length === 0) process.exit(0);
      for (const w of alive) w.process.kill('SIGTERM');
      setTimeout(() => process.exit(0), 15_000).unref();
    });
  }
  return true;
}
