import type { Manifest } from '../format/manifest';

/**
 * The storage interface of the index core. A built index is a *version*: a manifest
 * plus named files (gzip'd document store, vocabulary, bigram and word postings) and one
 * FlexSearch word index per shard (the source of the word postings). Where versions live
 * is a backend's business:
 *
 *   - files (store/files.ts): version folders under an index folder, CURRENT names the live one;
 *   - Redis (store/redis.ts): keys under NAME:vN:…, FlexSearch's own Redis adapter for the
 *     word index, NAME:current names the live one, so many servers read one index.
 *
 * Writers always build into a local staging folder first (build workers write files);
 * a backend then publishes the finished version and flips its alias atomically.
 */

/** A loaded, verified index version: its manifest and readers for its parts. */
export interface VersionReader {
  /** Where this version lives, for messages (a folder, or redis://host:port/NAME@vN). */
  dir: string;
  manifest: Manifest;
  /** A gzip'd file of the version, checked against the manifest checksum and inflated. */
  readGzip(file: string): Promise<string>;
  readGzipBytes(file: string): Promise<Buffer>;
  /**
   * An uncompressed file of the version (bigram and word postings, document bodies) as a local
   * path, checked against the manifest checksum; readers open it and read it by position.
   * The file backend hands out the file in the version folder, a network store a copy in
   * a local cache folder.
   */
  localFile(file: string): Promise<string>;
}

/** Something an engine can be opened from: the live version of an index. */
export interface IndexSource {
  /** Human-readable location, for logs and errors (no credentials). */
  readonly label: string;
  /** Resolve the live version and open it. */
  open(): Promise<VersionReader>;
}

/**
 * A source that can tell servers when the live version changes and whether it is
 * reachable at all (a network store); servers reload on a flip and answer 503 while
 * the store is down.
 */
export interface WatchableSource extends IndexSource {
  /**
   * Call `onFlip` with the new version name whenever the live build changes (once per
   * build; again later if its promise rejects), and `onLost` once when the served version
   * has vanished from the store with nothing newer live; returns a stop function that
   * also ends the subscription.
   */
  watch(onFlip: (version: string) => Promise<unknown>, onLost?: (version: string) => void): () => void;
  /** False while the store cannot be reached. */
  available(): boolean;
  /** Release connections. */
  close(): Promise<void>;
}

/** True when `s` can watch for flips (see {@link WatchableSource}). */
export function isWatchable(s: IndexSource): s is WatchableSource {
  return typeof (s as Partial<WatchableSource>).watch === 'function';
}
