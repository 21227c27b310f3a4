import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';

/**
 * Checksums of index files computed on a worker thread. Opening an index checks every
 * file it reads by position against the manifest; that is most of the work of opening a
 * large index (about 0.6 s for the 1.1 GB of a 57,000-post archive), and off the opening
 * thread it runs on the other core while that thread decodes the document tables. One
 * thread per process, started on demand and stopped when idle.
 */

/** Size and CRC-32 of a file, as the manifest records them. */
export interface FileCheck {
  bytes: number;
  crc32: number;
}

/** A file to check (worker protocol). */
export interface CheckRequest {
  id: number;
  path: string;
}

/** The worker's answer: size and CRC-32, or the error that stopped it. */
export type CheckReply = ({ id: number } & FileCheck) | { id: number; error: string; code?: string };

/** Idle time after which the thread is stopped (its memory returned). */
const IDLE_MS = 2_000;

let worker: Worker | null = null;
let nextId = 0;
let idleTimer: NodeJS.Timeout | null = null;
const pending = new Map<number, { resolve: (c: FileCheck) => void; reject: (e: Error) => void }>();

/**
 * Size and CRC-32 of the file at `path`, computed on the process's checksum thread;
 * rejects with the file system's error (its `code` kept). Where worker threads cannot
 * load the compiled code (ts-jest) the file is streamed through CRC-32 here.
 */
export function checkFileOffThread(path: string): Promise<FileCheck> {
  if (!__filename.endsWith('.js')) return checkFile(path);
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const w = thread();
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    w.ref(); // a caller awaits an answer: keep the process alive until it comes
    w.postMessage({ id, path } satisfies CheckRequest);
  });
}

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(require.resolve('./hash-thread-worker'));
  w.on('message', (reply: CheckReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(Object.assign(new Error(reply.error), { code: reply.code }));
    else p.resolve({ bytes: reply.bytes, crc32: reply.crc32 });
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

/** Size and CRC-32 of a file, streamed on this thread (never whole in memory). */
function checkFile(path: string): Promise<FileCheck> {
  return new Promise((resolve, reject) => {
    let crc = 0;
    let bytes = 0;
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk: Buffer | string) => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        crc = crc32(b, crc);
        bytes += b.length;
      })
      .on('error', reject)
      .on('end', () => resolve({ bytes, crc32: crc }));
  });
}
