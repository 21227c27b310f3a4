import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Index } from 'flexsearch';
import { createClient, RESP_TYPES } from 'redis';
import { FLEX_OPTIONS, importFlex } from '../format/flex';
import type { FlexMapEntry } from '../format/flex-index';
import type { VersionReader, WatchableSource } from './backend';
import { checkIndexName } from './index-name';
import { processAlive } from './lock';
import { FORMAT_VERSION, type Manifest } from '../format/manifest';

// FlexSearch's Redis adapter (flexsearch/db/redis) has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RedisDB = require('flexsearch/db/redis') as new (name: string, config: { db: RedisClient }) => FlexRedisDB;

/** The part of FlexSearch's Redis adapter zhsearch uses. */
interface FlexRedisDB {
  fastupdate: boolean;
  resolution: number;
}

/**
 * The Redis backend. Key layout for an index NAME (lower-case letters, digits, `_`, `-`):
 *
 *   NAME:current              live version ("v7"), flipped with SET inside MULTI + PUBLISH NAME:flips
 *   NAME:build                build id of the live version (random, also in its manifest), set with NAME:current
 *   NAME:seq                  version counter (INCR)
 *   NAME:versions             set of versions ever started (for cleaning up crashed builds)
 *   NAME:lock                 build lock: SET NX PX, refreshed while the build runs
 *   NAME:vN:started           marker written first; its TTL tells a retired version from a crashed one
 *   NAME:vN:manifest          the manifest (JSON, same as manifest.json of the file backend)
 *   NAME:vN:file:<file>       a gzip'd file of the version (docs, vocab, bigram postings), checksummed
 *   NAME-vN-sK|map:<term>     FlexSearch's Redis adapter: the word index of shard K (sorted sets)
 *   NAME-vN-sK|reg            FlexSearch's Redis adapter: the document register of shard K
 *
 * A retired version's keys get a TTL of the grace period, so Redis drops them by itself
 * once readers had time to move to the new one.
 *
 * Version names come from NAME:seq, which is lost with Redis's data (a restart without
 * persistence, FLUSHALL, failover to an empty replica): the next build is "v1" again. So
 * readers identify what they serve by the random build id, not by the name.
 */

type RedisClient = ReturnType<typeof createClient>;

const VERSION_RE = /^v\d+$/;
const gunzipAsync = promisify(gunzip);

/** Default time a retired version stays readable (servers still loading it). */
export const DEFAULT_GRACE_MS = 5 * 60_000;
const LOCK_TTL_MS = 30_000;
const POLL_MS = 2_000;

export { checkIndexName };

/** redis://host:port without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'redis://(invalid url)';
  }
}

/** What NAME:current and NAME:build name: the live version and its build id (null for an index published without one). */
export interface LiveVersion {
  version: string;
  build: string | null;
}

/** True when `a` and `b` are the same published build. */
function sameBuild(a: LiveVersion, b: LiveVersion): boolean {
  return a.version === b.version && a.build === b.build;
}

/** True when a lock value (pid@host@…) names a process of this host that no longer runs. */
function lockHolderIsDead(token: string): boolean {
  const [pid, host] = token.split('@');
  return host === hostname() && /^\d+$/.test(pid) && !processAlive(Number(pid));
}

/** Options of {@link RedisIndexStore.connect}. */
export interface RedisStoreOptions {
  /** Reconnect forever (servers) or fail the first command while down (builds, default). */
  reconnect?: boolean;
  /** Called on connection errors (default: ignored; the state is in {@link RedisIndexStore.available}). */
  onError?: (err: Error) => void;
}

/** One zhsearch index stored in Redis: the writer's and the readers' side. */
export class RedisIndexStore implements WatchableSource {
  readonly label: string;
  private ready = false;
  /** Version and build id of the last successful open(): a flip is a move away from it. */
  private opened: LiveVersion | null = null;
  private subscriber: RedisClient | null = null;
  /** Subscribers of stopped watches, still unsubscribing. */
  private readonly stopping = new Set<Promise<void>>();

  private constructor(
    private readonly client: RedisClient,
    readonly url: string,
    readonly name: string,
  ) {
    this.label = `${redactUrl(url)}/${name}`;
  }

  /** Connect to `url` for index `name`; throws a clear error when Redis cannot be reached. */
  static async connect(url: string, name: string, options: RedisStoreOptions = {}): Promise<RedisIndexStore> {
    checkIndexName(name);
    const client = createClient({
      url,
      // Fail commands at once while disconnected instead of queueing them: a server
      // answers 503 rather than hanging requests.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy: options.reconnect ? (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), 2_000) : false,
      },
    });
    const store = new RedisIndexStore(client, url, name);
    client.on('error', (err: Error) => {
      store.ready = false;
      options.onError?.(err);
    });
    client.on('ready', () => (store.ready = true));
    client.on('end', () => (store.ready = false));
    try {
      await client.connect();
    } catch (err) {
      throw new Error(`cannot connect to Redis at ${redactUrl(url)}: ${(err as Error).message}`);
    }
    store.ready = true;
    return store;
  }

  private key(...parts: string[]): string {
    return [this.name, ...parts].join(':');
  }

  private flexPrefix(version: string, shard: number): string {
    return `${this.name}-${version}-s${shard}`;
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
    return this.client.get(this.key('current'));
  }

  /** The live version and its build id, read together, or null when nothing was published. */
  async live(): Promise<LiveVersion | null> {
    const [version, build] = await this.client.mGet([this.key('current'), this.key('build')]);
    return version ? { version, build } : null;
  }

  // ---- writer side ----------------------------------------------------------------

  /**
   * Take the build lock (SET NX PX, refreshed every 10 s; the value names PID and host).
   * Throws when another build holds it; takes over the lock of a dead build of this host.
   * Returns the release function.
   */
  async acquireBuildLock(): Promise<() => Promise<void>> {
    const token = `${process.pid}@${hostname()}@${randomBytes(6).toString('hex')}@${new Date().toISOString()}`;
    const lockKey = this.key('lock');
    let ok = await this.client.set(lockKey, token, { NX: true, PX: LOCK_TTL_MS });
    if (ok !== 'OK') {
      const holder = await this.client.get(lockKey);
      // A build of this host that died (kill -9) leaves its lock for up to LOCK_TTL_MS: take it over.
      if (holder && lockHolderIsDead(holder)) {
        const takeover = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else return nil end`;
        const set = await this.client.eval(takeover, { keys: [lockKey], arguments: [holder, token, String(LOCK_TTL_MS)] });
        ok = set === 'OK' ? 'OK' : null;
      }
      if (ok !== 'OK') {
        throw new Error(
          `another build holds the build lock of index ${this.name} (${holder ?? 'unknown holder'}); wait for it to finish, or delete ${lockKey} if that build is dead (the lock expires ${LOCK_TTL_MS / 1000} s after its last refresh)`,
        );
      }
    }
    // Refresh and release only our own lock (compare-and-set in one script).
    const refresh = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
    const release = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
    const timer = setInterval(() => {
      this.client.eval(refresh, { keys: [lockKey], arguments: [token, String(LOCK_TTL_MS)] }).catch(() => undefined);
    }, LOCK_TTL_MS / 3);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.client.eval(release, { keys: [lockKey], arguments: [token] }).catch(() => undefined);
    };
  }

  /**
   * Delete versions left by builds that died before their flip (no TTL on their marker,
   * not live). Call while holding the build lock.
   */
  async removeCrashedVersions(): Promise<string[]> {
    const live = await this.current();
    const removed: string[] = [];
    for (const v of await this.client.sMembers(this.key('versions'))) {
      if (v === live) continue;
      const ttl = await this.client.pTTL(this.key(v, 'started'));
      if (ttl >= 0) continue; // retired, expiring by itself
      await this.unlinkVersion(v);
      removed.push(v);
    }
    return removed;
  }

  /**
   * Publish a finished version from a local staging reader (the file backend's version
   * folder), then flip NAME:current to it atomically and give the previous version a
   * TTL of `graceMs`. Returns the new version name. Call while holding the build lock.
   */
  async publish(
    staged: VersionReader,
    stagedDir: string,
    graceMs: number = DEFAULT_GRACE_MS,
  ): Promise<{ version: string; bytes: number; build: string }> {
    // A name whose keys exist already (NAME:seq went back, but not all data with it) is skipped.
    let version: string;
    do version = `v${await this.client.incr(this.key('seq'))}`;
    while ((await this.client.set(this.key(version, 'started'), new Date().toISOString(), { NX: true })) !== 'OK');
    await this.client.sAdd(this.key('versions'), version);
    const build = staged.manifest.buildId ?? randomBytes(8).toString('hex');
    const manifest = staged.manifest;
    const files: Manifest['files'] = {};
    let bytes = 0;
    for (const [file, sum] of Object.entries(manifest.files)) {
      const flexShard = /^shard-(\d+)\.flex\.gz$/.exec(file);
      if (flexShard) {
        // The word index goes through FlexSearch's own Redis adapter.
        const index = importFlex((await gunzipAsync(await fs.readFile(join(stagedDir, file)))).toString('utf8'));
        await this.commitFlex(index, this.flexPrefix(version, Number(flexShard[1])));
        continue;
      }
      const data = await fs.readFile(join(stagedDir, file));
      await this.client.set(this.key(version, 'file', file), data);
      files[file] = sum;
      bytes += data.length;
    }
    const stored: Manifest = { ...manifest, buildId: build, files };
    await this.client.set(this.key(version, 'manifest'), JSON.stringify(stored));
    const previous = await this.current();
    // Fault injection for the crash tests (see store/files.ts): killed with every key written, before the flip.
    if (process.env.ZHSEARCH_CRASH_AT === 'before-flip') process.kill(process.pid, 'SIGKILL');
    await this.client.multi().set(this.key('current'), version).set(this.key('build'), build).publish(this.key('flips'), version).exec();
    if (previous && previous !== version) await this.retireVersion(previous, graceMs);
    return { version, bytes, build };
  }

  private async commitFlex(index: Index, prefix: string): Promise<void> {
    const db = new RedisDB(prefix, { db: this.client });
    // Readers never update a version: skip the adapter's per-document reverse references.
    await (index as unknown as { mount(db: FlexRedisDB): Promise<unknown> }).mount(db);
    db.fastupdate = false;
    await (index as unknown as { commit(): Promise<void> }).commit();
  }

  /** Give every key of `version` a TTL of `graceMs`; Redis drops them after it. */
  private async retireVersion(version: string, graceMs: number): Promise<void> {
    const ttl = Math.max(1, Math.round(graceMs));
    for await (const keys of this.versionKeys(version)) {
      await Promise.all(keys.map((k) => this.client.pExpire(k, ttl)));
    }
    await this.client.sRem(this.key('versions'), version);
  }

  private async unlinkVersion(version: string): Promise<void> {
    for await (const keys of this.versionKeys(version)) if (keys.length) await this.client.unlink(keys);
    await this.client.sRem(this.key('versions'), version);
  }

  private async *versionKeys(version: string): AsyncGenerator<string[]> {
    for (const match of [`${this.key(version)}:*`, `${this.name}-${version}-s*`]) {
      for await (const keys of this.client.scanIterator({ MATCH: match, COUNT: 1000 })) {
        if (keys.length) yield keys;
      }
    }
  }

  // ---- reader side ----------------------------------------------------------------

  /** Open the live version (manifest and format checked; files checked on read). */
  async open(): Promise<VersionReader> {
    const live = await this.live();
    const version = live?.version;
    if (!version || !VERSION_RE.test(version)) {
      throw new Error(
        `no index ${this.name} in Redis at ${redactUrl(this.url)}: build one first (npm run build-index -- --backend redis --redis-url URL --name ${this.name})`,
      );
    }
    const dir = `${this.label}@${version}`;
    const raw = await this.client.get(this.key(version, 'manifest'));
    if (!raw) throw new Error(`index ${dir} has no manifest (expired or deleted); rebuild it`);
    const manifest = JSON.parse(raw) as Manifest;
    if (manifest.formatVersion !== FORMAT_VERSION) {
      throw new Error(
        `index ${dir} has format version ${String(manifest.formatVersion)}, this zhsearch reads version ${FORMAT_VERSION}: rebuild the index (npm run build-index)`,
      );
    }
    const binary = this.client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    const readGzipBytes = async (file: string): Promise<Buffer> => {
      const expected = manifest.files[file];
      if (!expected) throw new Error(`index ${dir} is damaged: manifest does not list ${file}; rebuild it`);
      const bytes = await binary.get(this.key(version, 'file', file));
      if (!bytes) throw new Error(`index ${dir} is damaged: ${file} is missing; rebuild it`);
      if (bytes.length !== expected.bytes || createHash('sha256').update(bytes).digest('hex') !== expected.sha256) {
        throw new Error(`index ${dir} is damaged: ${file} does not match its checksum; rebuild it`);
      }
      return gunzipAsync(bytes);
    };
    this.opened = { version, build: manifest.buildId ?? null };
    return {
      dir,
      manifest,
      readGzipBytes,
      readGzip: async (file) => (await readGzipBytes(file)).toString('utf8'),
      loadFlexEntries: (shard) => this.loadFlexEntries(this.flexPrefix(version, shard)),
    };
  }

  /**
   * Read one shard's word index from the adapter's sorted sets, as FlexSearch's `map`
   * export entries, so queries stay synchronous and as fast as with the file backend.
   * The adapter keeps a term's resolution slot as the score (resolution − slot); within a
   * slot FlexSearch keeps insertion order, which is ascending document number, while
   * Redis orders equal scores by member string, so each slot is sorted back numerically.
   */
  private async loadFlexEntries(prefix: string): Promise<FlexMapEntry[]> {
    const mapPrefix = `${prefix}|map:`;
    const resolution = FLEX_OPTIONS.resolution;
    const entries: FlexMapEntry[] = [];
    for await (const keys of this.client.scanIterator({ MATCH: `${mapPrefix}*`, COUNT: 2000 })) {
      if (keys.length === 0) continue;
      const ranges = await Promise.all(keys.map((k) => this.client.zRangeWithScores(k, 0, -1)));
      keys.forEach((k, i) => {
        const slots: Array<number[] | null> = [];
        for (const { value, score } of ranges[i]) {
          const slot = resolution - score;
          for (let s = slots.length; s <= slot; s++) slots.push(null);
          (slots[slot] ??= []).push(Number(value));
        }
        for (const ids of slots) ids?.sort((a, b) => a - b);
        entries.push([k.slice(mapPrefix.length), slots]);
      });
    }
    return entries;
  }

  /**
   * Reload when the live build differs from the one served: a new version name, or the
   * same name with another build id (Redis lost its data and a build started again at
   * v1). Checked at every flip message and every 2 s poll; a reload that fails is retried
   * at the next check. `onLost` is called once when the served version is gone from Redis
   * and nothing newer is live (the reader keeps answering from memory meanwhile).
   */
  watch(onFlip: (version: string) => Promise<unknown>, onLost?: (version: string) => void): () => void {
    let served = this.opened;
    let loading: LiveVersion | null = null;
    let lostReported = false;
    let stopped = false;
    const check = (live: LiveVersion | null): void => {
      if (stopped) return;
      if (!live) {
        if (served && !lostReported) {
          lostReported = true;
          onLost?.(served.version);
        }
        return;
      }
      if ((served && sameBuild(live, served)) || (loading && sameBuild(live, loading))) return;
      const target = live;
      loading = target;
      onFlip(target.version).then(
        () => {
          if (loading === target) loading = null;
          served = this.opened ?? target;
          lostReported = false;
        },
        () => {
          // Redis went away mid-load, say: the next check tries again.
          if (loading === target) loading = null;
        },
      );
    };
    const probe = (): void => {
      if (this.available()) this.live().then(check, () => undefined);
    };
    // Pub/sub for a prompt reload; polling as well, since messages sent while a server
    // was disconnected are lost.
    const sub = this.client.duplicate();
    sub.on('error', () => undefined);
    this.subscriber = sub;
    const subscribed = sub
      .connect()
      .then(() => sub.subscribe(this.key('flips'), () => probe()))
      .then(
        () => true,
        () => false,
      );
    const timer = setInterval(probe, POLL_MS);
    timer.unref();
    return () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (this.subscriber === sub) this.subscriber = null;
      const done = subscribed.then(async (ok) => {
        if (ok) await sub.unsubscribe(this.key('flips')).catch(() => undefined);
        await quietClose(sub);
      });
      this.stopping.add(done);
      void done.finally(() => this.stopping.delete(done));
    };
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) await quietClose(sub);
    await Promise.all(this.stopping);
    await quietClose(this.client);
  }
}

/** Close a client, or drop its connection when a graceful close fails (already closed, say). */
async function quietClose(client: RedisClient): Promise<void> {
  try {
    await client.close();
  } catch {
    try {
      client.destroy();
    } catch {
      // Already gone.
    }
  }
}
