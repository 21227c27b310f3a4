import { watch, type FSWatcher } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { POST_EXTENSIONS } from '../ingest/walk';
import { BuildLockedError } from '../store/lock';
import { buildIndexOn, type BuildOptions, type BuildReport } from './build';
import { corpusDiffers } from './incremental';
import { BuildPool } from './pool';
import { threadsAvailable } from '../threads';

/** Options of {@link watchCorpus}: a build's options plus timing and callbacks. */
export interface WatchOptions extends Omit<BuildOptions, 'incremental'> {
  /** Quiet time after the last file event before updating (default 300 ms). */
  debounceMs?: number;
  /** Longest wait after the first event of a burst that never goes quiet (default 5 s). */
  maxWaitMs?: number;
  /** Also compare the corpus with the index this often, for file systems without events (default 30 s; 0: never). */
  pollMs?: number;
  /** Called after each successful update (the new version is live in `out`). */
  onBuild?: (report: BuildReport) => void | Promise<void>;
  /** Called when an update fails; the previous index stays live and watching goes on. */
  onError?: (err: Error) => void;
}

/** A running watcher. */
export interface CorpusWatcher {
  /** Resolves after the first build (incremental when `out` holds an index). */
  ready: Promise<BuildReport>;
  /** Stop watching; resolves when a build in progress has finished. */
  close(): Promise<void>;
}

/**
 * Keep the index in `out` up to date with `corpus`: build once, then on file events
 * (recursive fs.watch; Linux, macOS and Windows on Node 20) wait until the corpus is
 * quiet for `debounceMs` and run one incremental build for the whole burst — an rsync
 * of 1,000 files is one update, a small one an update segment. Events during a build
 * trigger one more build after it; once segments are due to merge, the merge runs when
 * no change is waiting (the live version keeps serving meanwhile).
 * One build worker stays up between updates with its segmenter loaded, so an update
 * does not wait for jieba to load, and keeps its recent shards' parsed and segmented
 * posts, so a rebuilt shard re-segments only what changed; a burst starts more workers.
 */
export function watchCorpus(options: WatchOptions): CorpusWatcher {
  const debounceMs = options.debounceMs ?? 300;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  const pollMs = options.pollMs ?? 30_000;
  const outInside = relative(resolve(options.corpus), resolve(options.out));
  const ignorePrefix = outInside && !outInside.startsWith('..') && !isAbsolute(outInside) ? outInside + sep : null;

  let closed = false;
  let building: Promise<void> | null = null;
  let pending = false;
  /** Files changed since the last update started (else a pending build is a merge). */
  let dirty = false;
  /** The live version's update segments are due to be merged (see indexer/update-segment). */
  let mergeNext = false;
  let timer: NodeJS.Timeout | null = null;
  let burstStart = 0;

  const pool = new BuildPool(options.workers ?? Math.min(2, availableParallelism()), { segmenter: options.segmenter, userDict: options.userDict }, true);

  let first = true;
  let settleReady: { resolve: (r: BuildReport) => void; reject: (e: Error) => void } | null = null;
  const ready = new Promise<BuildReport>((resolve, reject) => (settleReady = { resolve, reject }));
  ready.catch(() => undefined);

  const runBuild = (): void => {
    timer = null;
    if (closed || building) return;
    pending = false;
    const isFirst = first;
    first = false;
    // Changes first, as a small segment; a due merge only when no change waits for it.
    const merge = mergeNext && !dirty;
    dirty = false;
    building = buildIndexOn({ ...options, incremental: true, merge }, pool)
      .then(async (report) => {
        mergeNext = report.mergeDue;
        if (mergeNext) pending = true;
        await options.onBuild?.(report);
        if (isFirst) settleReady?.resolve(report);
      })
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        if (isFirst) settleReady?.reject(e);
        // Another build (cron, an operator) is writing the index: try again until it is done.
        else if (err instanceof BuildLockedError) pending = true;
        else options.onError?.(e);
      })
      .finally(() => {
        // One worker, with jieba loaded, waits for the next update (the first one included).
        void pool.shrink(1).then(() => (closed ? undefined : pool.warm(1)));
        building = null;
        if (pending && !closed) schedule();
      });
  };
  const schedule = (): void => {
    pending = true;
    if (building || closed) return; // picked up when the build finishes
    const now = Date.now();
    if (!timer) burstStart = now;
    else clearTimeout(timer);
    timer = setTimeout(runBuild, Math.max(0, Math.min(debounceMs, burstStart + maxWaitMs - now)));
  };
  const relevant = (name: string | null): boolean => {
    if (name === null) return true;
    if (ignorePrefix && (name + sep).startsWith(ignorePrefix)) return false;
    const parts = name.split(sep);
    if (parts.some((p) => p.startsWith('.'))) return false; // dot files: rsync's temporaries, editors' swap files
    const last = parts[parts.length - 1].toLowerCase();
    // A post, or something without an extension (a folder moved in or out).
    return POST_EXTENSIONS.some((ext) => last.endsWith(ext)) || !last.includes('.');
  };

  let watcher: FSWatcher | null = null;
  let poller: NodeJS.Timeout | null = null;
  // Watch from the start, so that files written during the first build are not missed.
  watcher = watch(options.corpus, { recursive: true }, (_event, name) => {
    if (relevant(typeof name === 'string' ? name : null)) {
      dirty = true;
      schedule();
    }
  });
  watcher.on('error', (err) => options.onError?.(err));
  runBuild();
  if (pollMs > 0) {
    poller = setInterval(() => {
      if (building || timer || closed) return;
      corpusDiffers(options.corpus, options.out).then(
        (differs) => {
          if (differs) {
            dirty = true;
            schedule();
          }
        },
        () => undefined,
      );
    }, pollMs);
    poller.unref();
  }

  return {
    ready,
    async close() {
      closed = true;
      watcher?.close();
      if (poller) clearInterval(poller);
      if (timer) clearTimeout(timer);
      timer = null;
      await ready.catch(() => undefined);
      while (building) await building;
      await pool.close();
    },
  };
}

/**
 * {@link watchCorpus} on a worker thread, so that a server in the same process keeps
 * answering while the index is rebuilt (merging and compressing the bigram store takes
 * seconds of CPU). Callbacks run in this thread. Falls back to this thread where threads
 * are not available ({@link threadsAvailable}).
 */
export function watchInWorker(options: WatchOptions): CorpusWatcher {
  if (!threadsAvailable()) return watchCorpus(options);
  const { onBuild, onError, onProgress, ...plain } = options;
  void onProgress; // progress stays in the worker
  const worker = new Worker(require.resolve('./watch-worker'), { workerData: plain });
  let settle: { resolve: (r: BuildReport) => void; reject: (e: Error) => void } | null = null;
  const ready = new Promise<BuildReport>((resolve, reject) => (settle = { resolve, reject }));
  ready.catch(() => undefined);
  let chain: Promise<void> = Promise.resolve();
  let closed: (() => void) | null = null;
  worker.on('message', (msg: { type: string; report?: BuildReport; message?: string }) => {
    if (msg.type === 'built' && msg.report) {
      const report = msg.report;
      chain = chain.then(() => onBuild?.(report)).catch((err: unknown) => onError?.(err instanceof Error ? err : new Error(String(err))));
    } else if (msg.type === 'ready' && msg.report) {
      const report = msg.report;
      void chain.then(() => settle?.resolve(report));
    } else if (msg.type === 'failed') settle?.reject(new Error(msg.message));
    else if (msg.type === 'error') onError?.(new Error(msg.message));
    else if (msg.type === 'closed') closed?.();
  });
  worker.on('error', (err) => {
    settle?.reject(err);
    onError?.(err);
  });
  worker.on('exit', () => closed?.());
  return {
    ready,
    async close() {
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage({ type: 'close' });
      });
      await chain;
      await worker.terminate();
    },
  };
}
