import { shardFiles, type Manifest } from '../../src/format/manifest';
import type { RedisClient } from '../../src/store/redis-connection';

/**
 * Reading an index's keys the way src/store/redis.ts lays them out, for the Redis tests:
 * blobs NAME:blob:<sha256>, FlexSearch adapter keys NAME-x<16 hex>|…, manifests NAME:vN:manifest.
 */

/** Every key matching the SCAN pattern `match`. */
export async function scanKeys(client: RedisClient, match: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: match, COUNT: 1000 })) keys.push(...batch);
  return keys.sort();
}

/** The manifest of `version` of index `name`. */
export async function manifestOf(client: RedisClient, name: string, version: string): Promise<Manifest> {
  const raw = await client.get(`${name}:${version}:manifest`);
  if (!raw) throw new Error(`${name}:${version}:manifest is missing`);
  return JSON.parse(raw) as Manifest;
}

/** The checksums of the blobs index `name` holds. */
export async function storedBlobs(client: RedisClient, name: string): Promise<Set<string>> {
  return new Set((await scanKeys(client, `${name}:blob:*`)).map((k) => k.slice(`${name}:blob:`.length)));
}

/** The adapter prefixes (NAME-x<hex>) that have keys in Redis. */
export async function storedFlexPrefixes(client: RedisClient, name: string): Promise<Set<string>> {
  const re = new RegExp(`^(${name}-x[0-9a-f]{16})\\|`);
  return new Set((await scanKeys(client, `${name}-x*`)).map((k) => re.exec(k)?.[1]).filter((p): p is string => !!p));
}

/** The checksums the manifests list. */
export function listedBlobs(...manifests: Manifest[]): Set<string> {
  return new Set(manifests.flatMap((m) => Object.values(m.files).map((sum) => sum.sha256)));
}

/** The adapter prefixes of the manifests' word indexes (shards holding documents: an empty one has no keys). */
export function listedFlexPrefixes(name: string, ...manifests: Manifest[]): Set<string> {
  return new Set(
    manifests.flatMap((m) =>
      m.shards.flatMap((docs, k) => (docs > 0 ? [`${name}-x${m.files[shardFiles(k).flex].sha256.slice(0, 16)}`] : [])),
    ),
  );
}

/** Sorted copy of a set, for comparisons that print well. */
export function sorted(set: Iterable<string>): string[] {
  return [...set].sort();
}
