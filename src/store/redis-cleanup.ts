import type { RedisClient, RedisKeys } from './redis-connection';

/**
 * Delete versions left by builds that died before their flip (no TTL on their marker,
 * not `live`). Call while holding the build lock. Returns the versions removed.
 */
export async function removeCrashedVersions(client: RedisClient, keys: RedisKeys, live: string | null): Promise<string[]> {
  const removed: string[] = [];
  for (const v of await client.sMembers(keys.key('versions'))) {
    if (v === live) continue;
    const ttl = await client.pTTL(keys.key(v, 'started'));
    if (ttl >= 0) continue; // retired, expiring by itself
    for await (const batch of versionKeys(client, keys, v)) await client.unlink(batch);
    await client.sRem(keys.key('versions'), v);
    removed.push(v);
  }
  return removed;
}

/** Give every key of `version` a TTL of `graceMs`; Redis drops them after it. */
export async function retireVersion(client: RedisClient, keys: RedisKeys, version: string, graceMs: number): Promise<void> {
  const ttl = Math.max(1, Math.round(graceMs));
  for await (const batch of versionKeys(client, keys, version)) {
    await Promise.all(batch.map((k) => client.pExpire(k, ttl)));
  }
  await client.sRem(keys.key('versions'), version);
}

async function* versionKeys(client: RedisClient, keys: RedisKeys, version: string): AsyncGenerator<string[]> {
  for (const match of keys.versionPatterns(version)) {
    for await (const batch of client.scanIterator({ MATCH: match, COUNT: 1000 })) {
      if (batch.length) yield batch;
    }
  }
}
