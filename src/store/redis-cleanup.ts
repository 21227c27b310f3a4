import { shardFiles, type Manifest } from '../format/manifest';
import type { RedisClient, RedisKeys } from './redis-connection';

const SCAN_COUNT = 1000;
const UNLINK_BATCH = 1000;

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

/** Give every key of `version` a TTL of `graceMs`; Redis drops them after it. Its blobs go with the garbage collection. */
export async function retireVersion(client: RedisClient, keys: RedisKeys, version: string, graceMs: number): Promise<void> {
  const ttl = Math.max(1, Math.round(graceMs));
  const expire = (batch: string[]): Promise<unknown> => Promise.all(batch.map((k) => client.pExpire(k, ttl)));
  // SCAN walks the whole keyspace (mostly the adapter's keys): only a version in the
  // layout before blobs has keys besides these two.
  if (await hasLegacyKeys(client, keys, version)) {
    for await (const batch of versionKeys(client, keys, version)) await expire(batch);
  } else {
    await expire([keys.key(version, 'started'), keys.key(version, 'manifest')]);
  }
  await client.sRem(keys.key('versions'), version);
}

/** True when `version` keeps its files under NAME:vN:file:… (or its manifest cannot tell). */
async function hasLegacyKeys(client: RedisClient, keys: RedisKeys, version: string): Promise<boolean> {
  const manifest = await readManifest(client, keys.key(version, 'manifest')).catch(() => null);
  const first = manifest && Object.keys(manifest.files ?? {})[0];
  if (!first) return true;
  return (await client.exists(keys.key(version, 'file', first))) === 1;
}

/** What {@link collectGarbage} removed. */
export interface Collected {
  /** Blobs no manifest lists. */
  blobs: number;
  /** Word indexes in FlexSearch's adapter whose export no manifest lists. */
  flexIndexes: number;
}

/**
 * Delete the blobs that no manifest in Redis lists (live, retired within its grace, or of
 * a crashed build not removed yet), then the adapter keys of word indexes no manifest
 * lists. Call while holding the build lock, after the flip: nothing but this writer
 * stores a blob or a manifest, and a reader reads only versions whose manifest exists.
 */
export async function collectGarbage(client: RedisClient, keys: RedisKeys): Promise<Collected> {
  const found = await scanIndex(client, keys);
  const used = await referenced(client, keys, found.manifests);
  const deadBlobs = found.blobs.filter((sha) => !used.blobs.has(sha)).map((sha) => keys.blob(sha));
  // Blobs first: a blob must never outlive its adapter commit (a later build would skip the commit).
  for (let i = 0; i < deadBlobs.length; i += UNLINK_BATCH) await client.unlink(deadBlobs.slice(i, i + UNLINK_BATCH));
  const deadFlex = (await client.sMembers(keys.key('flex'))).filter((prefix) => !used.flex.has(prefix));
  if (deadFlex.length) {
    await unlinkAdapterKeys(client, keys, new Set(deadFlex));
    await client.sRem(keys.key('flex'), deadFlex);
  }
  return { blobs: deadBlobs.length, flexIndexes: deadFlex.length };
}

/** The manifest keys and blob checksums of the index, from one SCAN. */
async function scanIndex(client: RedisClient, keys: RedisKeys): Promise<{ manifests: string[]; blobs: string[] }> {
  const manifestRe = new RegExp(`^${keys.name}:v\\d+:manifest$`);
  const blobRe = new RegExp(`^${keys.name}:blob:([0-9a-f]{64})$`);
  const manifests: string[] = [];
  const blobs: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${keys.name}:*`, COUNT: SCAN_COUNT })) {
    for (const key of batch) {
      if (manifestRe.test(key)) manifests.push(key);
      const blob = blobRe.exec(key);
      if (blob) blobs.push(blob[1]);
    }
  }
  return { manifests, blobs };
}

/** The checksums the manifests list, and the adapter prefixes of their word index exports. */
async function referenced(
  client: RedisClient,
  keys: RedisKeys,
  manifestKeys: string[],
): Promise<{ blobs: Set<string>; flex: Set<string> }> {
  const blobs = new Set<string>();
  const flex = new Set<string>();
  for (const key of manifestKeys) {
    // Gone since the SCAN: an expired version, whose blobs nobody reads any more.
    const manifest = await readManifest(client, key);
    if (!manifest) continue;
    const flexFiles = new Set((manifest.shards ?? []).map((_, k) => shardFiles(k).flex));
    for (const [file, sum] of Object.entries(manifest.files ?? {})) {
      blobs.add(sum.sha256);
      if (flexFiles.has(file)) flex.add(keys.flexPrefix(sum.sha256));
    }
  }
  return { blobs, flex };
}

/** UNLINK every adapter key (NAME-x<hex>|…) under one of `prefixes`. */
async function unlinkAdapterKeys(client: RedisClient, keys: RedisKeys, prefixes: ReadonlySet<string>): Promise<void> {
  const [only] = prefixes;
  // One prefix: Redis filters; several: this side does (SCAN has no alternatives).
  const match = prefixes.size === 1 ? `${only}|*` : `${keys.name}-x*`;
  for await (const batch of client.scanIterator({ MATCH: match, COUNT: SCAN_COUNT })) {
    const dead = batch.filter((key) => {
      const bar = key.indexOf('|');
      return bar > 0 && prefixes.has(key.slice(0, bar));
    });
    if (dead.length) await client.unlink(dead);
  }
}

/** The manifest at `key`, or null when it is gone; throws when it is not JSON (its blobs cannot be told). */
async function readManifest(client: RedisClient, key: string): Promise<Manifest | null> {
  const raw = await client.get(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Manifest;
  } catch {
    throw new Error(`${key} is not JSON: no blob was deleted; delete that key (its version cannot be read anyway)`);
  }
}

async function* versionKeys(client: RedisClient, keys: RedisKeys, version: string): AsyncGenerator<string[]> {
  for (const match of keys.versionPatterns(version)) {
    for await (const batch of client.scanIterator({ MATCH: match, COUNT: SCAN_COUNT })) {
      if (batch.length) yield batch;
    }
  }
}
