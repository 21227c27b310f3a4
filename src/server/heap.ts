import { setFlagsFromString } from 'node:v8';

/** Default of HEAP_GROWING_PERCENT: see {@link tuneHeap}. */
export const DEFAULT_HEAP_GROWING_PERCENT = 20;

/**
 * Let V8's old space grow by at most `percent` % over the live data before the next full
 * collection (0 leaves V8's own choice). Why: with a large live index, V8's default growth
 * factor lets promoted request garbage pile up between full collections, so the RSS swings
 * widely under load; a small factor keeps it flat for a short full collection more often
 * (docs/ARCHITECTURE.md, Performance notes). Process-wide, so only the scripts that own the
 * process (serve, start) call it, never the library.
 */
export function tuneHeap(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
