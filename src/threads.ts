/**
 * True when worker threads can run this package's modules: they load the compiled
 * JavaScript (dist/), which does not exist when the TypeScript sources run directly
 * (ts-jest). Modules that start threads then do the same work on the calling thread.
 */
export function threadsAvailable(): boolean {
  return __filename.endsWith('.js');
}
