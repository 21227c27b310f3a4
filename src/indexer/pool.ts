import { Worker } from 'node:worker_threads';
import { threadsAvailable } from '../threads';
import type { SegmenterBackend } from '../analysis/segmenter';
import { runBuildJob, type BuildJob, type ParsedShard, type ShardResult } from './job';

/** What a build worker needs to load its segmenter ahead of the first index job. */
export interface WarmOptions {
  /** Default: as getSegmenter chooses. */
  segmenter?: SegmenterBackend;
  userDict?: string;
}

/** A message from a build worker (see worker.ts). */
interface WorkerMessage<R> {
  type: string;
  shard: number;
  done?: number;
  result?: R;
  message?: string;
}

/** One worker thread of the pool and what it is doing. */
interface Slot {
  worker: Worker;
  /** The job it runs, if any. */
  job: BuildJob | null;
  /** Its segmenter is loaded (or being loaded: messages run in order). */
  warm: boolean;
  /** Called with each message while a run uses the slot. */
  listener: ((msg: WorkerMessage<ParsedShard | ShardResult>) => void) | null;
  /** Called when the worker fails or exits while a run uses the slot. */
  onFailure: ((err: Error) => void) | null;
}

/**
 * Worker threads that run a build's jobs, both passes (parse, then index), from one
 * shared queue. A worker with nothing to do loads the segmenter (seconds of CPU for
 * jieba) once warming is switched on, so the index pass rarely waits for it; a pool kept
 * between builds (watch mode) keeps its segmenters loaded. With 0 workers, or where
 * threads cannot load the compiled code, jobs run in this thread.
 */
export class BuildPool {
  private readonly slots: Slot[] = [];
  private warming = false;
  private closed = false;

  /**
   * A pool of up to `size` workers (none are started before the first run or {@link warm}).
   * With `keep`, its threads keep recent parses and post analyses for later builds (see job.ts).
   */
  constructor(
    readonly size: number,
    private readonly warmOptions: WarmOptions,
    private readonly keep = false,
  ) {}

  /** True when jobs run on worker threads. */
  get threaded(): boolean {
    return this.size > 0 && threadsAvailable();
  }

  /**
   * Start up to `workers` workers now (no more than jobs are expected: each loaded
   * segmenter costs seconds of CPU), and from now on let every worker load its segmenter
   * while it has nothing else to do.
   */
  warm(workers = this.size): void {
    if (!this.threaded || this.closed) return;
    this.warming = true;
    while (this.slots.length < Math.min(this.size, workers)) this.spawn();
    for (const slot of this.slots) if (slot.job === null) this.warmIfIdle(slot);
  }

  /**
   * Run jobs, largest first (so the last to finish is a small one), on the pool's workers;
   * `onResult` sees each result as it arrives. Rejects on the first failed job, naming
   * its shard; the other jobs of the run are dropped.
   */
  async run<R extends ParsedShard | ShardResult>(
    jobs: readonly BuildJob[],
    onProgress: (shard: number, done: number) => void,
    onResult: (result: R) => void,
  ): Promise<Map<number, R>> {
    if (this.closed) throw new Error('build pool: already closed');
    const results = new Map<number, R>();
    if (this.keep) jobs = jobs.map((j) => ({ ...j, keep: true }));
    if (!this.threaded) {
      for (const job of jobs) {
        const result = (await runBuildJob(job, (d) => onProgress(job.shard, d))) as R;
        onResult(result);
        results.set(job.shard, result);
      }
      return results;
    }
    const queue = [...jobs].sort((a, b) => jobSize(b) - jobSize(a));
    while (this.slots.length < Math.min(this.size, queue.length)) this.spawn();
    return new Promise<Map<number, R>>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const used = new Set<Slot>();
      const finish = (err: Error | null): void => {
        for (const slot of used) {
          slot.listener = null;
          slot.onFailure = null;
        }
        if (err) reject(err);
        else resolve(results);
      };
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        queue.length = 0;
        finish(err);
      };
      const feed = (slot: Slot): void => {
        const job = queue.shift();
        if (!job) {
          slot.job = null;
          this.warmIfIdle(slot);
          if (running === 0 && !failed) finish(null);
          return;
        }
        slot.job = job;
        running++;
        slot.worker.postMessage(job);
      };
      for (const slot of this.slots) {
        used.add(slot);
        slot.listener = (msg): void => {
          if (failed) return;
          if (msg.type === 'progress' && msg.done !== undefined) onProgress(msg.shard, msg.done);
          else if (msg.type === 'done' && msg.result) {
            running--;
            results.set(msg.shard, msg.result as R);
            feed(slot);
            onResult(msg.result as R);
          } else if (msg.type === 'error') fail(new Error(`build worker, shard ${msg.shard}: ${msg.message}`));
        };
        slot.onFailure = fail;
      }
      if (queue.length === 0) return finish(null);
      // Idle slots only: a slot still warming takes its first job when the warm-up is done.
      for (const slot of [...this.slots]) if (slot.job === null && queue.length > 0) feed(slot);
    });
  }

  /**
   * Stop idle workers beyond `keep`, those with a loaded segmenter kept first (each holds
   * hundreds of MB with nodejieba): a long-lived pool keeps only what its next update needs.
   */
  async shrink(keep: number): Promise<void> {
    const idle = this.slots.filter((s) => s.job === null).sort((a, b) => Number(b.warm) - Number(a.warm));
    const busy = this.slots.length - idle.length;
    const stop = idle.slice(Math.max(0, keep - busy));
    for (const slot of stop) this.slots.splice(this.slots.indexOf(slot), 1);
    await Promise.all(stop.map((s) => s.worker.terminate()));
  }

  /** Stop every worker; later runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(require.resolve('./worker'));
    const slot: Slot = { worker, job: null, warm: false, listener: null, onFailure: null };
    const drop = (err: Error): void => {
      const at = this.slots.indexOf(slot);
      if (at < 0) return;
      this.slots.splice(at, 1);
      void worker.terminate();
      slot.onFailure?.(err);
    };
    worker.on('message', (msg: WorkerMessage<ParsedShard | ShardResult>) => {
      // Free even when no run listens any more (a run that failed leaves jobs finishing).
      if (msg.type === 'done' || msg.type === 'error') slot.job = null;
      if (slot.listener) slot.listener(msg);
      else this.warmIfIdle(slot);
    });
    worker.on('error', drop);
    worker.on('exit', (code) => {
      if (!this.closed) drop(new Error(`build worker exited with code ${code} during shard ${slot.job?.shard}`));
    });
    this.slots.push(slot);
    if (this.warming) this.warmIfIdle(slot);
    return slot;
  }

  private warmIfIdle(slot: Slot): void {
    if (!this.warming || slot.warm || slot.job !== null) return;
    slot.warm = true;
    slot.worker.postMessage({ kind: 'warm', ...this.warmOptions });
  }
}

/** A job's size in posts or files, for largest-first ordering. */
function jobSize(job: BuildJob): number {
  return job.kind === 'parse' ? job.files.length : job.posts.length;
}
