import { RESP_TYPES } from 'redis';
import { FLEX_OPTIONS } from '../format/flex';
import type { FlexMapEntry } from '../format/flex-index';
import type { Manifest } from '../format/manifest';
import type { VersionReader } from './backend';
import { checkedReader, checkFormat, listedChecksum } from './checked-read';
import { cachedFile, pruneCache } from './local-cache';
import type { RedisClient, RedisKeys } from './redis-connection';

/**
 * A reader of `version` (manifest and format checked now; files checked on read). `dir`
 * names the version in messages.
 */
export async function openRedisVersion(
  client: RedisClient,
  keys: RedisKeys,
  version: string,
  dir: string,
  cacheDir: string,
): Promise<VersionReader> {
  const raw = await client.get(keys.key(version, 'manifest'));
  if (!raw) throw new Error(`index ${dir} has no manifest (expired or deleted); rebuild it`);
  const manifest = JSON.parse(raw) as Manifest;
  checkFormat(manifest, dir);
  const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const fetch = async (file: string): Promise<Buffer> => {
    const bytes = await binary.get(keys.key(version, 'file', file));
    if (!bytes) throw new Error(`index ${dir} is damaged: ${file} is missing; rebuild it`);
    return bytes;
  };
  const used = new Set(Object.entries(manifest.files ?? {}).map(([file, sum]) => `${sum.sha256}-${file}`));
  void pruneCache(cacheDir, used);
  return {
    dir,
    manifest,
    ...checkedReader(dir, manifest, fetch),
    localFile: (file) => cachedFile(cacheDir, dir, file, listedChecksum(dir, manifest, file), () => fetch(file)),
    loadFlexEntries: (shard) => loadFlexEntries(client, keys.flexPrefix(version, shard)),
  };
}

/**
 * Read one shard's word index from the adapter's sorted sets, as FlexSearch's `map`
 * export entries, so queries stay synchronous and as fast as with the file backend.
 * The adapter keeps a term's resolution slot as the score (resolution − slot); within a
 * slot FlexSearch keeps insertion order, which is ascending document number, while
 * Redis orders equal scores by member string, so each slot is sorted back numerically.
 */
async function loadFlexEntries(client: RedisClient, prefix: string): Promise<FlexMapEntry[]> {
  const mapPrefix = `${prefix}|map:`;
  const resolution = FLEX_OPTIONS.resolution;
  const entries: FlexMapEntry[] = [];
  for await (const keys of client.scanIterator({ MATCH: `${mapPrefix}*`, COUNT: 2000 })) {
    if (keys.length === 0) continue;
    const ranges = await Promise.all(keys.map((k) => client.zRangeWithScores(k, 0, -1)));
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
