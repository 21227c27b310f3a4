import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { getSegmenter, type Segmenter } from './segmenter';
import { CALL, ERROR, MODE_CUT, RESULT, TOO_SMALL, type DataBuffer, type ThreadInit } from './segmenter-thread-protocol';

/**
 * Worker-thread side of {@link getThreadedSegmenter}: load the dictionary, then answer
 * calls for the life of the process. The thread blocks in `Atomics.wait` between calls;
 * it has nothing else to do.
 */
/** How long the thread stays awake after a call, waiting for the next one. */
const SPIN_NS = 50_000n;
const init = workerData as ThreadInit;
const { control, port } = init;
let data: DataBuffer = init.data;
let segmenter: Segmenter | null = null;
let loadError: string | null = null;
try {
  segmenter = getSegmenter({ backend: init.backend, userDict: init.userDict });
} catch (err) {
  loadError = (err as Error).message;
}

for (;;) {
  const state = Atomics.load(control, 0);
  if (state !== CALL) {
    // A query cuts a few pieces in a row: stay awake briefly for the next call rather
    // than pay a thread wake-up for each.
    if (!spin()) Atomics.wait(control, 0, state);
    continue;
  }
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) data = m.message as DataBuffer;
  answer();
  Atomics.notify(control, 0);
}

/** True when a call arrives within {@link SPIN_NS}. */
function spin(): boolean {
  const until = process.hrtime.bigint() + SPIN_NS;
  while (process.hrtime.bigint() < until) if (Atomics.load(control, 0) === CALL) return true;
  return false;
}

function answer(): void {
  if (!segmenter) return fail(loadError ?? 'no segmenter');
  let text = '';
  const n = control[2];
  for (let i = 0; i < n; i += 4096) text += String.fromCharCode(...data.text.subarray(i, Math.min(n, i + 4096)));
  let words: string[];
  try {
    words = control[1] === MODE_CUT ? segmenter.cut(text) : segmenter.cutForSearch(text);
  } catch (err) {
    return fail((err as Error).message);
  }
  let units = 0;
  for (const w of words) units += w.length;
  if (units > data.text.length || words.length > data.lengths.length) {
    control[2] = Math.max(units, words.length);
    Atomics.store(control, 0, TOO_SMALL);
    return;
  }
  let at = 0;
  words.forEach((w, i) => {
    data.lengths[i] = w.length;
    for (let j = 0; j < w.length; j++) data.text[at + j] = w.charCodeAt(j);
    at += w.length;
  });
  control[2] = words.length;
  Atomics.store(control, 0, RESULT);
}

function fail(message: string): void {
  const m = message.slice(0, data.text.length);
  for (let i = 0; i < m.length; i++) data.text[i] = m.charCodeAt(i);
  control[2] = m.length;
  Atomics.store(control, 0, ERROR);
}
