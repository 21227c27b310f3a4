import type { SearchEngine } from '../engine';
import type { Logger } from './log';

/** What a finished reload reports. */
export interface ReloadInfo {
  docs: number;
  builtAt: string;
}

/**
 * How long a replaced engine stays open: requests that started on it (an export streams for
 * a while) finish before its files are closed.
 */
const CLOSE_REPLACED_MS = 60_000;

/**
 * The engine answering new requests, and its replacement by a reload. A request reads the
 * engine once when it starts, so requests in flight finish on the old one; concurrent
 * reloads share one load, and a failed load keeps the old engine.
 */
export class EngineHolder {
  private engine: SearchEngine;
  private reloading: Promise<ReloadInfo> | null = null;

  constructor(
    initial: SearchEngine,
    private readonly load: (() => Promise<SearchEngine>) | undefined,
    private readonly log: Logger,
  ) {
    this.engine = initial;
  }

  /** The engine for a request starting now. */
  current(): SearchEngine {
    return this.engine;
  }

  /** Load a new engine and swap it in; rejects (keeping the old engine) when loading fails. */
  reload(): Promise<ReloadInfo> {
    const load = this.load;
    if (!load) return Promise.reject(new Error('this server was started without a way to reload'));
    this.reloading ??= load()
      .then((engine) => {
        const replaced = this.engine;
        this.engine = engine;
        if (replaced !== engine) setTimeout(() => replaced.close(), CLOSE_REPLACED_MS).unref();
        const s = engine.info();
        this.log.info('index reloaded', { docs: s.docs, builtAt: s.builtAt });
        return { docs: s.docs, builtAt: s.builtAt };
      })
      .catch((err: unknown) => {
        this.log.error('reload failed: still serving the previous index', { error: err instanceof Error ? err.message : String(err) });
        throw err;
      })
      .finally(() => {
        this.reloading = null;
      });
    return this.reloading;
  }
}
