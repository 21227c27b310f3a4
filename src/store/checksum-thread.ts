import { closeSync, openSync, readSync } from 'node:fs';
import { threadsAvailable } from '../threads';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import type { FileChecksum } from '../format/manifest';

/**
 * Checksums of index files computed on a worker thread. Opening an index checks every
 * file it reads by position against the manifest: a pass over every byte of the text and
 * posting files, which grows with the archive. Off the opening thread it runs on the other
 * core while that thread decodes the document tables. One thread per process, started on
 * demand and stopped when idle.
 */

/** Size and CRC-32 of a file: what readers compare with the manifest. */
export type FileCheck = Pick<FileChecksum, 'bytes' | 'crc32'>;

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
 * rejects with the file system's error (its `code` kept); on this thread where threads
 * are not available ({@link threadsAvailable}).
 */
export function checkFileOffThread(path: string): Promise<FileCheck> {
  if (!threadsAvailable()) return new Promise((resolve) => resolve(checkFile(path, Buffer.allocUnsafe(CHUNK))));
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
  const w = new Worker(require.resolve('./checksum-thread-worker'));
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

/** Bytes read at a time by {@link checkFile}. */
export const CHUNK = 1 << 20;

/**
 * Size and CRC-32 of the file at `path`, read `buffer.length` bytes at a time into
 * `buffer` (never whole in memory); throws the file system's error. Blocks its thread:
 * the checksum thread's work, and the in-thread fallback's.
 */
export function checkFile(path: string, buffer: Buffer): FileCheck {
  const fd = openSync(path, 'r');
  try {
    let crc = 0;
    let bytes = 0;
    for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) {
      crc = crc32(buffer.subarray(0, n), crc);
      bytes += n;
    }
    return { bytes, crc32: crc };
  } finally {
    closeSync(fd);
  }
}
