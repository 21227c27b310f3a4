import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient, RedisKeys } from './redis-connection';
import { processAlive } from './lock';

const LOCK_TTL_MS = 30_000;

/** True when a lock value (pid@host@…) names a process of this host that no longer runs. */
function lockHolderIsDead(token: string): boolean {
  const [pid, host] = token.split('@');
  return host === hostname() && /^\d+$/.test(pid) && !processAlive(Number(pid));
}

/** A build lock this writer took: NAME:lock holds `token` while the lock is still its own. */
export interface RedisBuildLock {
  readonly key: string;
  readonly token: string;
  /** Stop refreshing and delete the lock if it is still this writer's. */
  release(): Promise<void>;
}

/**
 * Take the build lock NAME:lock (SET NX PX, refreshed every 10 s; the value names PID and
 * host). Throws when another build holds it; takes over the lock of a dead build of this
 * host.
 */
export async function acquireRedisBuildLock(client: RedisClient, keys: RedisKeys): Promise<RedisBuildLock> {
  const token = `${process.pid}@${hostname()}@${randomBytes(6).toString('hex')}@${new Date().toISOString()}`;
  const lockKey = keys.key('lock');
  let ok = await client.set(lockKey, token, { NX: true, PX: LOCK_TTL_MS });
  if (ok !== 'OK') {
    const holder = await client.get(lockKey);
    // A build of this host that died (kill -9) leaves its lock for up to LOCK_TTL_MS: take it over.
    if (holder && lockHolderIsDead(holder)) {
      const takeover = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else return nil end`;
      const set = await client.eval(takeover, { keys: [lockKey], arguments: [holder, token, String(LOCK_TTL_MS)] });
      ok = set === 'OK' ? 'OK' : null;
    }
    if (ok !== 'OK') {
      throw new Error(
        `another build holds the build lock of index ${keys.name} (${holder ?? 'unknown holder'}); wait for it to finish, or delete ${lockKey} if that build is dead (the lock expires ${LOCK_TTL_MS / 1000} s after its last refresh)`,
      );
    }
  }
  // Refresh and release only our own lock (compare-and-set in one script).
  const refresh = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
  const release = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
  const timer = setInterval(() => {
    client.eval(refresh, { keys: [lockKey], arguments: [token, String(LOCK_TTL_MS)] }).catch(() => undefined);
  }, LOCK_TTL_MS / 3);
  timer.unref();
  return {
    key: lockKey,
    token,
    release: async () => {
      clearInterval(timer);
      await client.eval(release, { keys: [lockKey], arguments: [token] }).catch(() => undefined);
    },
  };
}
