import type { VersionReader, WatchableSource } from './backend';
import { checkIndexName } from './index-name';
import { removeCrashedVersions } from './redis-cleanup';
import {
  connectClient,
  quietClose,
  redactUrl,
  RedisKeys,
  type LiveVersion,
  type RedisClient,
  type RedisStoreOptions,
} from './redis-connection';
import { acquireRedisBuildLock, type RedisBuildLock } from './redis-lock';
import { publishVersion, type Published } from './redis-publish';
import { defaultCacheDir } from './local-cache';
import { openRedisVersion } from './redis-reader';
import { watchFlips, type FlipWatch } from './redis-watch';

/**
 * The Redis backend. Key layout for an index NAME (lower-case letters, digits, `_`, `-`):
 *
 *   NAME:current              live version ("v7"), flipped by a script with PUBLISH NAME:flips
 *   NAME:build                build id of the live version (random, also in its manifest), set with NAME:current
 *   NAME:seq                  version counter (INCR)
 *   NAME:versions             set of versions started and not retired (for cleaning up crashed builds)
 *   NAME:lock                 build lock: SET NX PX, refreshed while the build runs; the flip is a script
 *                             that sets NAME:current only while the lock still holds the writer's token
 *   NAME:vN:started           marker written first; its TTL tells a retired version from a crashed one
 *   NAME:vN:manifest          the manifest (JSON, same as manifest.json of the file backend); its
 *                             `files` name each file's SHA-256
 *   NAME:blob:<sha256>        the bytes of a file (gzip'd docs, vocab and FlexSearch exports, raw bigram
 *                             and word postings and bodies), stored once and shared by every version that
 *                             lists that checksum; readers keep the raw ones in a local cache folder, an
 *                             incremental build copies them all into its staging folder
 *   NAME-x<hex>|map:<term>    FlexSearch's Redis adapter: the word index exported in the file whose SHA-256
 *                             starts with the 16 digits <hex> (sorted sets; readers answer from the word
 *                             posting file instead)
 *   NAME-x<hex>|reg           FlexSearch's Redis adapter: the document register of that word index
 *   NAME:flex                 set of the adapter prefixes (NAME-x<hex>) committed
 *
 * A publish uploads only the blobs Redis lacks, committing a word index through the adapter
 * before its blob is set, so an existing blob implies a complete commit. A retired
 * version's keys (marker and manifest) get a TTL of the grace period, so Redis drops them
 * by itself once readers had time to move to the new one. After each flip the writer
 * deletes the blobs that no manifest in Redis lists, and the adapter keys of word indexes
 * no manifest lists (redis-cleanup.ts `collectGarbage`). Versions published before blobs
 * keep their files under NAME:vN:file:<file> and their word indexes under NAME-vN-sK|…;
 * readers fall back to those keys, and they expire with their version.
 *
 * Version names come from NAME:seq, which is lost with Redis's data (a restart without
 * persistence, FLUSHALL, failover to an empty replica): the next build is "v1" again. So
 * readers identify what they serve by the random build id, not by the name.
 */

const VERSION_RE = /^v\d+$/;

/** Default time a retired version stays readable (servers still loading it). */
export const DEFAULT_GRACE_MS = 5 * 60_000;

export { checkIndexName, redactUrl };
export type { LiveVersion, RedisStoreOptions };

/** One zhsearch index stored in Redis: the writer's and the readers' side. */
export class RedisIndexStore implements WatchableSource {
  readonly label: string;
  private ready = false;
  /** Version and build id of the last successful open(): a flip is a move away from it. */
  private opened: LiveVersion | null = null;
  private readonly keys: RedisKeys;
  private client!: RedisClient;
  /** Running watches, and those of stopped watches still unsubscribing. */
  private readonly watches = new Set<FlipWatch>();
  private readonly stopping = new Set<Promise<void>>();

  private constructor(
    readonly url: string,
    readonly name: string,
    /** Where readers keep the files they read by position (see store/local-cache.ts). */
    readonly cacheDir: string,
  ) {
    this.label = `${redactUrl(url)}/${name}`;
    this.keys = new RedisKeys(name);
  }

  /** Connect to `url` for index `name`; throws a clear error when Redis cannot be reached. */
  static async connect(url: string, name: string, options: RedisStoreOptions = {}): Promise<RedisIndexStore> {
    checkIndexName(name);
    const store = new RedisIndexStore(url, name, options.cacheDir ?? defaultCacheDir());
    store.client = await connectClient(url, options, (ready) => (store.ready = ready));
    return store;
  }

  /** The raw client (tests, benchmarks: INFO memory). */
  get redis(): RedisClient {
    return this.client;
  }

  available(): boolean {
    return this.ready && this.client.isReady;
  }

  /** The live version name, or null when nothing was published yet. */
  async current(): Promise<string | null> {
    return this.client.get(this.keys.key('current'));
  }

  /** The live version and its build id, read together, or null when nothing was published. */
  async live(): Promise<LiveVersion | null> {
    const [version, build] = await this.client.mGet([this.keys.key('current'), this.keys.key('build')]);
    return version ? { version, build } : null;
  }

  /** Take the build lock (see redis-lock.ts). */
  acquireBuildLock(): Promise<RedisBuildLock> {
    return acquireRedisBuildLock(this.client, this.keys);
  }

  /** Delete versions left by builds that died before their flip. Call while holding the build lock. */
  async removeCrashedVersions(): Promise<string[]> {
    return removeCrashedVersions(this.client, this.keys, await this.current());
  }

  /**
   * Publish a finished version from a local staging folder (uploading the files Redis
   * lacks), flip NAME:current to it, retire the previous one after `graceMs` and delete
   * the blobs no version in Redis lists. Refused, with nothing flipped, once `lock` is no
   * longer this writer's.
   */
  publish(staged: VersionReader, stagedDir: string, lock: RedisBuildLock, graceMs: number = DEFAULT_GRACE_MS): Promise<Published> {
    return publishVersion(this.client, this.keys, staged, stagedDir, lock, graceMs);
  }

  /** Open the live version (manifest and format checked; files checked on read). */
  async open(): Promise<VersionReader> {
    const live = await this.live();
    const version = live?.version;
    if (!version || !VERSION_RE.test(version)) {
      throw new Error(
        `no index ${this.name} in Redis at ${redactUrl(this.url)}: build one first (npm run build-index -- --backend redis --redis-url URL --name ${this.name})`,
      );
    }
    const reader = await openRedisVersion(this.client, this.keys, version, `${this.label}@${version}`, this.cacheDir);
    this.opened = { version, build: reader.manifest.buildId ?? null };
    return reader;
  }

  /** Call `onFlip` when the live build changes, `onLost` when it vanished (see redis-watch.ts); returns the stop function. */
  watch(onFlip: (version: string) => Promise<unknown>, onLost?: (version: string) => void): () => void {
    const source = {
      client: this.client,
      keys: this.keys,
      available: () => this.available(),
      live: () => this.live(),
      opened: () => this.opened,
    };
    const w = watchFlips(source, onFlip, onLost);
    this.watches.add(w);
    return () => {
      if (!this.watches.delete(w)) return;
      const done = w.stop();
      this.stopping.add(done);
      void done.finally(() => this.stopping.delete(done));
    };
  }

  async close(): Promise<void> {
    const running = [...this.watches];
    this.watches.clear();
    await Promise.all(running.map((w) => w.abort()));
    await Promise.all(this.stopping);
    await quietClose(this.client);
  }
}
