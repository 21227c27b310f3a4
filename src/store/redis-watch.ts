import { quietClose, sameBuild, type LiveVersion, type RedisClient, type RedisKeys } from './redis-connection';

const POLL_MS = 2_000;

/** What a watch reads from its store. */
export interface FlipSource {
  readonly client: RedisClient;
  readonly keys: RedisKeys;
  available(): boolean;
  live(): Promise<LiveVersion | null>;
  /** The build the last successful open() loaded. */
  opened(): LiveVersion | null;
}

/** A running watch: `stop` unsubscribes and closes its connection; `abort` just closes it. */
export interface FlipWatch {
  stop(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Reload when the live build differs from the one served: a new version name, or the
 * same name with another build id (Redis lost its data and a build started again at
 * v1). Checked at every flip message and every 2 s poll; a reload that fails is retried
 * at the next check. `onLost` is called once when the served version is gone from Redis
 * and nothing newer is live (the reader keeps answering from memory meanwhile).
 */
export function watchFlips(src: FlipSource, onFlip: (version: string) => Promise<unknown>, onLost?: (version: string) => void): FlipWatch {
  let served = src.opened();
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
        served = src.opened() ?? target;
        lostReported = false;
      },
      () => {
        // Redis went away mid-load, say: the next check tries again.
        if (loading === target) loading = null;
      },
    );
  };
  const probe = (): void => {
    if (src.available()) src.live().then(check, () => undefined);
  };
  // Pub/sub for a prompt reload; polling as well, since messages sent while a server
  // was disconnected are lost.
  const channel = src.keys.key('flips');
  const sub = src.client.duplicate();
  sub.on('error', () => undefined);
  const subscribed = sub
    .connect()
    .then(() => sub.subscribe(channel, () => probe()))
    .then(
      () => true,
      () => false,
    );
  const timer = setInterval(probe, POLL_MS);
  timer.unref();
  const halt = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  return {
    stop: async () => {
      halt();
      if (await subscribed) await sub.unsubscribe(channel).catch(() => undefined);
      await quietClose(sub);
    },
    abort: async () => {
      halt();
      await quietClose(sub);
    },
  };
}
