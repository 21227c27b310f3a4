import { readSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Segmenter, SegmenterBackend } from './segmenter';

/**
 * One jieba dictionary for several processes. A server's workers each loading their own
 * dictionary pay its memory (most of a process) once per worker; instead the cluster's
 * primary loads it ({@link serveSegmenter}) and each worker cuts through a pipe pair
 * ({@link SegmenterConnection}), synchronously as with the segmenter thread: the worker
 * writes a request and blocks reading the answer.
 *
 * Frames, little-endian, each preceded by its byte length (u32):
 * - request: mode (u8: cut, search or load), key length (u16), key (UTF-8 JSON of backend
 *   and user dictionary), text (UTF-16LE);
 * - answer: status (u8: words or error), then word count (u32), word lengths (u32 each)
 *   and the words' UTF-16LE code units; or an error message (UTF-8).
 * A load request (no text) starts loading a dictionary and gets no answer: a dictionary
 * that fails to load fails the next call instead.
 */

const MODE_CUT = 0;
const MODE_SEARCH = 1;
const MODE_LOAD = 2;
const OK = 0;
const FAILED = 1;

/** A segmenter's backend and user dictionary, the key of a dictionary the service holds. */
export interface SegmenterKey {
  backend: SegmenterBackend;
  userDict?: string;
}

/** The two ends of a worker's pipe pair to the primary, as file descriptors. */
export interface SegmenterFds {
  request: number;
  answer: number;
}

/**
 * Answer a worker's segmentation requests arriving on `requests`, on `answers`, with the
 * segmenters `segmenterFor` gives (the cluster's primary: its segmenter thread, so that
 * loading a dictionary never blocks the event loop that hands connections to the
 * workers). Runs until `requests` ends.
 */
export function serveSegmenter(requests: Readable, answers: Writable, segmenterFor: (key: SegmenterKey) => Segmenter): void {
  // By the key's bytes: a worker sends the same few keys with every request.
  const segmenters = new Map<string, Segmenter>();
  const segmenter = (key: string): Segmenter => {
    let s = segmenters.get(key);
    if (!s) {
      const { backend, userDict } = JSON.parse(key) as SegmenterKey;
      segmenters.set(key, (s = segmenterFor({ backend, userDict })));
    }
    return s;
  };
  let pending: Buffer = Buffer.alloc(0);
  requests.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4) {
      const size = pending.readUInt32LE(0);
      if (pending.length < 4 + size) break;
      const out = answer(pending.subarray(4, 4 + size), segmenter);
      if (out) answers.write(out);
      pending = pending.subarray(4 + size);
    }
  });
  // A worker that exits closes its ends; nothing is left to answer.
  requests.on('error', () => undefined);
  answers.on('error', () => undefined);
}

/** The answer frame to a request frame (none to a load request). */
function answer(frame: Buffer, segmenter: (key: string) => Segmenter): Buffer | null {
  const mode = frame[0];
  try {
    const keyEnd = 3 + frame.readUInt16LE(1);
    const s = segmenter(frame.toString('utf8', 3, keyEnd));
    if (mode === MODE_LOAD) return null;
    const text = frame.toString('utf16le', keyEnd);
    return wordsFrame(mode === MODE_CUT ? s.cut(text) : s.cutForSearch(text));
  } catch (err) {
    if (mode === MODE_LOAD) return null;
    const message = Buffer.from((err as Error).message, 'utf8');
    const out = Buffer.alloc(5 + message.length);
    out.writeUInt32LE(1 + message.length, 0);
    out[4] = FAILED;
    message.copy(out, 5);
    return out;
  }
}

function wordsFrame(words: readonly string[]): Buffer {
  let units = 0;
  for (const w of words) units += w.length;
  const out = Buffer.alloc(9 + 4 * words.length + 2 * units);
  out.writeUInt32LE(out.length - 4, 0);
  out[4] = OK;
  out.writeUInt32LE(words.length, 5);
  let at = 9;
  for (const w of words) at = out.writeUInt32LE(w.length, at);
  for (const w of words) at += out.write(w, at, 'utf16le');
  return out;
}

/**
 * A worker's end of the pipe pair to a {@link serveSegmenter}. When the pipe fails (the
 * primary gone), `dead` says why and callers use a segmenter of their own.
 */
export class SegmenterConnection {
  dead: string | null = null;
  private readonly header = Buffer.alloc(4);

  constructor(private readonly fds: SegmenterFds) {}

  /** Ask the service to start loading the dictionary of `key` (an encoded {@link SegmenterKey}); returns at once. */
  load(key: Buffer): void {
    try {
      this.send(MODE_LOAD, key, '');
    } catch (err) {
      this.dead = (err as Error).message;
    }
  }

  /** `text` cut in precise (`search` false) or search mode by the service. Throws when the pipe fails. */
  call(key: Buffer, text: string, search: boolean): string[] {
    if (this.dead) throw new Error(`the shared segmenter is gone: ${this.dead}`);
    let frame: Buffer;
    try {
      this.send(search ? MODE_SEARCH : MODE_CUT, key, text);
      frame = this.receive();
    } catch (err) {
      this.dead = (err as Error).message;
      throw new Error(`the shared segmenter is gone: ${this.dead}`);
    }
    // An error from the segmenter itself (a dictionary that failed to load) is the caller's, as in-process.
    if (frame[0] === FAILED) throw new Error(frame.toString('utf8', 1));
    const count = frame.readUInt32LE(1);
    const words = new Array<string>(count);
    let at = 5 + 4 * count;
    for (let i = 0; i < count; i++) {
      const units = frame.readUInt32LE(5 + 4 * i);
      words[i] = frame.toString('utf16le', at, at + 2 * units);
      at += 2 * units;
    }
    return words;
  }

  // The worker's ends are blocking (a child's end of a stdio pipe): a call waits here, as
  // on the segmenter thread. Any error, or the end of the pipe, ends the connection.
  private send(mode: number, key: Buffer, text: string): void {
    const out = Buffer.alloc(7 + key.length + 2 * text.length);
    out.writeUInt32LE(out.length - 4, 0);
    out[4] = mode;
    out.writeUInt16LE(key.length, 5);
    key.copy(out, 7);
    out.write(text, 7 + key.length, 'utf16le');
    for (let at = 0; at < out.length;) at += writeSync(this.fds.request, out, at);
  }

  private receive(): Buffer {
    this.readFull(this.header);
    const frame = Buffer.alloc(this.header.readUInt32LE(0));
    this.readFull(frame);
    return frame;
  }

  private readFull(into: Buffer): void {
    for (let at = 0; at < into.length;) {
      const n = readSync(this.fds.answer, into, at, into.length - at, null);
      if (n === 0) throw new Error('the pipe was closed');
      at += n;
    }
  }
}

/** A {@link Segmenter} that cuts through `connection`, and through `fallback()` once the connection is dead. */
export function sharedSegmenter(
  connection: SegmenterConnection,
  key: SegmenterKey,
  fingerprint: string,
  fallback: () => Segmenter,
): Segmenter {
  const encoded = Buffer.from(JSON.stringify({ backend: key.backend, userDict: key.userDict }), 'utf8');
  let own: Segmenter | null = null;
  const cut = (text: string, search: boolean): string[] => {
    if (!own && !connection.dead) {
      try {
        return connection.call(encoded, text, search);
      } catch (err) {
        if (!connection.dead) throw err;
      }
    }
    own ??= fallback();
    return search ? own.cutForSearch(text) : own.cut(text);
  };
  connection.load(encoded);
  return { name: key.backend, fingerprint, cut: (text) => cut(text, false), cutForSearch: (text) => cut(text, true) };
}
