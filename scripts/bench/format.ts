/** Number formats of the bench's report and log. */

/** A ratio as "2.3×" (whole numbers from 10×). */
export function times(f: number): string {
  return `${f >= 10 ? f.toFixed(0) : f.toFixed(1)}×`;
}

/** Bytes as megabytes, one decimal below 100 MB. */
export function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1);
}

/** Milliseconds with about three significant digits ("n/a" when not finite). */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}
