import type { MessagePort } from 'node:worker_threads';
import type { SegmenterBackend } from './segmenter';

/**
 * The shared-memory protocol between {@link getThreadedSegmenter} and its worker.
 * control[0] is the state, control[1] the mode, control[2] a size: the caller writes the
 * text and its length and sets CALL; the worker answers with RESULT (control[2] = number
 * of words), TOO_SMALL (control[2] = units needed; the caller sends a larger buffer on the
 * port and calls again) or ERROR (control[2] = length of the message in `text`).
 */
export const IDLE = 0;
export const CALL = 1;
export const RESULT = 2;
export const TOO_SMALL = 3;
export const ERROR = 4;

export const MODE_CUT = 0;
export const MODE_SEARCH = 1;

/** Shared text (UTF-16 code units) and word lengths. */
export interface DataBuffer {
  text: Uint16Array;
  lengths: Uint32Array;
}

/** What the worker is started with. */
export interface ThreadInit {
  backend: SegmenterBackend;
  userDict?: string;
  control: Int32Array;
  data: DataBuffer;
  /** Larger data buffers arrive here. */
  port: MessagePort;
}
