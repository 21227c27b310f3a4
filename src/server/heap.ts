import { setFlagsFromString } from 'node:v8';

/** Default of HEAP_GROWING_PERCENT: see {@link tuneHeap}. */
export const DEFAULT_HEAP_GROWING_PERCENT = 20;

/**
 * Let V8's old space grow by at most `percent` % over the live data before the next full
 * collection (0 leaves V8's own choice). Why: with a large live index, V8's default growth
 * factor lets promoted request garbage pile up between full collections, so the RSS swings
 * widely under load; a small factor keeps it flat for a short full collection more often
 * (docs/ARCHITECTURE.md, Performance notes). Called once the index is loaded: while the
 * live data is first built the heap grows several times over, and at a small factor each
 * step was a full collection, which lengthened the load of a large archive. Process-wide,
 * so only the scripts that own the process (serve, start) call it, never the library.
 */
export function tuneHeap(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
