import { setFlagsFromString } from 'node:v8';

/** Default of HEAP_GROWING_PERCENT: see {@link tuneHeap}. */
export const DEFAULT_HEAP_GROWING_PERCENT = 20;

/**
 * Let V8's old space grow by at most `percent` % over the live data before the next full
 * collection (0 leaves V8's own choice). Why: a loaded index is a few hundred MB of live
 * objects, and V8's default factor (up to 4×) let the server's RSS climb by ~500 MB of
 * promoted request garbage between full collections under load, then fall back. With 20 %
 * the RSS stays flat (measured by `npm run loadtest`) at the cost of a short full
 * collection every few seconds under load. Process-wide, so only the scripts that own the
 * process (serve, start) call it, never the library.
 */
export function tuneHeap(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
