import { createClient } from 'redis';

/** A node-redis client. */
export type RedisClient = ReturnType<typeof createClient>;

/** Options of {@link connectClient}. */
export interface RedisStoreOptions {
  /** Reconnect forever (servers) or fail the first command while down (builds, default). */
  reconnect?: boolean;
  /** Called on connection errors (default: ignored; the state is in the store's `available()`). */
  onError?: (err: Error) => void;
  /**
   * Folder where readers keep the index files they read by position (default: see
   * store/local-cache.ts `defaultCacheDir`).
   */
  cacheDir?: string;
}

/** redis://host:port without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'redis://(invalid url)';
  }
}

/**
 * Connect to `url`; `onReady` follows the connection's state. Throws a clear error when
 * Redis cannot be reached.
 */
export async function connectClient(url: string, options: RedisStoreOptions, onReady: (ready: boolean) => void): Promise<RedisClient> {
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
  client.on('error', (err: Error) => {
    onReady(false);
    options.onError?.(err);
  });
  client.on('ready', () => onReady(true));
  client.on('end', () => onReady(false));
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to Redis at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  onReady(true);
  return client;
}

/** Close a client, or drop its connection when a graceful close fails (already closed, say). */
export async function quietClose(client: RedisClient): Promise<void> {
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

/** What NAME:current and NAME:build name: the live version and its build id (null for an index published without one). */
export interface LiveVersion {
  version: string;
  build: string | null;
}

/** True when `a` and `b` are the same published build. */
export function sameBuild(a: LiveVersion, b: LiveVersion): boolean {
  return a.version === b.version && a.build === b.build;
}

/** Key names of one index (layout in redis.ts). */
export class RedisKeys {
  constructor(readonly name: string) {}

  /** NAME:part:part… */
  key(...parts: string[]): string {
    return [this.name, ...parts].join(':');
  }

  /** NAME:blob:<sha256>: the bytes of the files with that checksum, shared by every version listing one. */
  blob(sha256: string): string {
    return this.key('blob', sha256);
  }

  /** The prefix FlexSearch's Redis adapter uses for the word index exported in the file with checksum `sha256`. */
  flexPrefix(sha256: string): string {
    return `${this.name}-x${sha256.slice(0, 16)}`;
  }

  /**
   * SCAN patterns matching every key of `version`, including the per-version files and
   * adapter keys (NAME-vN-sK|…) of a version published in the layout before blobs.
   */
  versionPatterns(version: string): string[] {
    return [`${this.key(version)}:*`, `${this.name}-${version}-s*`];
  }
}
