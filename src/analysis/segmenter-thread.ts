import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { threadsAvailable } from '../threads';
import { getSegmenter, segmenterFingerprint, type Segmenter, type SegmenterOptions } from './segmenter';
import { SegmenterConnection, sharedSegmenter, type SegmenterFds } from './segmenter-service';
import { CALL, ERROR, IDLE, MODE_CUT, MODE_SEARCH, RESULT, TOO_SMALL, type DataBuffer, type ThreadInit } from './segmenter-thread-protocol';

/**
 * A segmenter whose dictionary lives in a worker thread. Loading jieba's dictionary
 * takes about a second of CPU and blocks its thread: in a worker it loads while the
 * caller opens its index on the other core, and a server answers from its first moment.
 * Calls stay synchronous (query planning is synchronous): the caller writes the text
 * into shared memory and waits on it with `Atomics.wait` until the worker has written
 * the words back, a few tens of microseconds once the dictionary is loaded. A caller
 * that needs words before the load has finished waits for it, as it would in-thread.
 */

/** Longest wait for one call, loading included, before the thread is given up for dead. */
const CALL_TIMEOUT_MS = 120_000;
/** Initial shared text buffer, in UTF-16 code units (grown when a text or answer is larger). */
const INITIAL_UNITS = 1 << 14;

const threads = new Map<string, Segmenter>();
/** Set in a cluster worker: segment through the primary's dictionaries (see {@link useSharedSegmenter}). */
let shared: SegmenterConnection | null = null;

/**
 * Make {@link getThreadedSegmenter} cut through the segmenter service at the other end of
 * `fds` (a cluster's primary, analysis/segmenter-service.ts) instead of loading a
 * dictionary in this process; should the service fail, a thread of this process takes over.
 */
export function useSharedSegmenter(fds: SegmenterFds): void {
  shared = new SegmenterConnection(fds);
}

/**
 * The process-wide threaded segmenter for a backend and user dictionary, started on the
 * first call (the worker begins loading the dictionary at once). Where threads are not
 * available ({@link threadsAvailable}), the in-thread segmenter is returned instead.
 */
export function getThreadedSegmenter(options: SegmenterOptions = {}): Segmenter {
  const { name, fingerprint } = segmenterFingerprint(options);
  if (!threadsAvailable()) return lazyInThread(options);
  const key = `${name}\0${options.userDict ?? ''}`;
  let s = threads.get(key);
  if (!s) {
    const own = (): Segmenter => startThread({ backend: name, userDict: options.userDict }, fingerprint);
    s = shared ? sharedSegmenter(shared, { backend: name, userDict: options.userDict }, fingerprint, own) : own();
    threads.set(key, s);
  }
  return s;
}

function lazyInThread(options: SegmenterOptions): Segmenter {
  const { name, fingerprint } = segmenterFingerprint(options);
  return {
    name,
    fingerprint,
    cut: (text) => getSegmenter(options).cut(text),
    cutForSearch: (text) => getSegmenter(options).cutForSearch(text),
  };
}

function startThread(options: Required<Pick<SegmenterOptions, 'backend'>> & SegmenterOptions, fingerprint: string): Segmenter {
  const control = new Int32Array(new SharedArrayBuffer(16));
  let data = newData(INITIAL_UNITS);
  const { port1, port2 } = new MessageChannel();
  const init: ThreadInit = { backend: options.backend, userDict: options.userDict, control, data, port: port2 };
  const worker = new Worker(require.resolve('./segmenter-thread-worker'), {
    workerData: init,
    transferList: [port2],
  });
  // A thread that only answers calls must not keep the process alive.
  worker.unref();
  port1.unref();
  let dead: string | null = null;
  worker.on('error', (err) => (dead = err.message));
  worker.on('exit', (code) => (dead ??= `exited with code ${code}`));

  const call = (mode: number, text: string): string[] => {
    if (dead) throw new Error(`the ${options.backend} segmenter thread stopped: ${dead}`);
    for (;;) {
      if (text.length > data.text.length) data = grow(port1, text.length);
      for (let i = 0; i < text.length; i++) data.text[i] = text.charCodeAt(i);
      control[1] = mode;
      control[2] = text.length;
      Atomics.store(control, 0, CALL);
      Atomics.notify(control, 0);
      if (Atomics.wait(control, 0, CALL, CALL_TIMEOUT_MS) === 'timed-out' && Atomics.load(control, 0) === CALL) {
        dead = 'it did not answer in time';
        throw new Error(`the ${options.backend} segmenter thread did not answer within ${CALL_TIMEOUT_MS / 1000} s`);
      }
      const state = Atomics.load(control, 0);
      const size = control[2];
      Atomics.store(control, 0, IDLE);
      if (state === RESULT) return readWords(data, size);
      if (state === TOO_SMALL) {
        data = grow(port1, size);
        continue;
      }
      if (state === ERROR) throw new Error(readText(data, size));
      throw new Error(`the ${options.backend} segmenter thread answered with state ${state}`);
    }
  };
  return {
    name: options.backend,
    fingerprint,
    cut: (text) => call(MODE_CUT, text),
    cutForSearch: (text) => call(MODE_SEARCH, text),
  };
}

function newData(units: number): DataBuffer {
  return {
    text: new Uint16Array(new SharedArrayBuffer(units * 2)),
    lengths: new Uint32Array(new SharedArrayBuffer(units * 4)),
  };
}

/** A larger buffer, handed to the worker before the next call (it reads its port on every call). */
function grow(port: MessagePort, units: number): DataBuffer {
  const data = newData(Math.max(INITIAL_UNITS, 2 ** Math.ceil(Math.log2(units))));
  port.postMessage(data);
  return data;
}

/** Words written as their lengths followed by their code units, `count` of them. */
function readWords(data: DataBuffer, count: number): string[] {
  const words: string[] = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const n = data.lengths[i];
    words[i] = String.fromCharCode(...data.text.subarray(at, at + n));
    at += n;
  }
  return words;
}

function readText(data: DataBuffer, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 4096) s += String.fromCharCode(...data.text.subarray(i, Math.min(n, i + 4096)));
  return s;
}
