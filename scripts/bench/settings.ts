/** The bench's fixed settings, shared by its driver (main.ts) and report (report.ts). */

/** Seed of the query set (the eval's own). */
export const SEED = 42;

/** Posts of the corpus that --quick benchmarks. */
export const QUICK_POSTS = 500;

/** Spawns per engine whose median is the cold start. */
export const COLD_START_SAMPLES = 3;

/** Timed incremental builds, and watch-mode writes, of the index-update figures. */
export const UPDATE_ROUNDS = 3;
export const WATCH_ROUNDS = 5;

/** Known items drawn for MRR@10 (eval draws DEFAULT_SIZES.knownItems; the first 100 are the same). */
export const BENCH_KNOWN_ITEMS = 1000;

/** How the printed figures are to be read. */
export const CAVEAT = 'medians; compare ratios within one run';

/** A progress line on stderr (stdout stays clean for --json). */
export const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
