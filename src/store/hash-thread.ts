import { Worker } from 'node:worker_threads';
import type { FileChecksum } from '../format/manifest';
import { hashFile } from '../segment/positional-file';

/**
 * Checksums of index files computed on a worker thread. Opening an index checks every
 * file it reads by position against the manifest; hashing is most of the work of opening
 * a large index (about 0.6 s of SHA-256 for the 1.1 GB of a 57,000-post archive), and
 * off the opening thread it runs on the other core while that thread decodes the
 * document tables. One thread per process, started on demand and stopped when idle.
 */

/** A file to hash (worker protocol). */
export interface HashRequest {
  id: number;
  path: string;
}

/** The worker's answer: size and SHA-256, or the error that stopped it. */
export type HashReply = { id: number; bytes: number; sha256: string } | { id: number; error: string; code?: string };

/** Idle time after which the thread is stopped (its memory returned). */
const IDLE_MS = 2_000;

let worker: Worker | null = null;
let nextId = 0;
let idleTimer: NodeJS.Timeout | null = null;
const pending = new Map<number, { resolve: (c: FileChecksum) => void; reject: (e: Error) => void }>();

/**
 * Size and SHA-256 (hex) of the file at `path`, as the manifest records them, hashed on
 * the process's hash thread; rejects with the file system's error (its `code` kept).
 * Where worker threads cannot load the compiled code (ts-jest) the file is hashed here.
 */
export function hashFileOffThread(path: string): Promise<FileChecksum> {
  if (!__filename.endsWith('.js')) return hashFile(path);
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const w = thread();
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    w.ref(); // a caller awaits an answer: keep the process alive until it comes
    w.postMessage({ id, path } satisfies HashRequest);
  });
}

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(require.resolve('./hash-thread-worker'));
  w.on('message', (reply: HashReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(Object.assign(new Error(reply.error), { code: reply.code }));
    else p.resolve({ bytes: reply.bytes, sha256: reply.sha256 });
    if (pending.size === 0) idle(w);
  });
  const fail = (why: string): void => {
    if (worker === w) worker = null;
    for (const p of pending.values()) p.reject(new Error(`the checksum thread stopped: ${why}`));
    pending.clear();
  };
  w.on('error', (err) => fail(err.message));
  w.on('exit', (code) => fail(`exited with code ${code}`));
  worker = w;
  return w;
}

function idle(w: Worker): void {
  w.unref();
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (worker === w && pending.size === 0) {
      worker = null;
      void w.terminate();
    }
  }, IDLE_MS);
  idleTimer.unref();
}
