import { RESP_TYPES } from 'redis';
import type { Manifest } from '../format/manifest';
import type { VersionReader } from './backend';
import { checkedReader, checkFormat, listedChecksum } from './checked-read';
import { cachedFile, pruneCache } from './local-cache';
import type { RedisClient, RedisKeys } from './redis-connection';

/**
 * A reader of `version` (manifest and format checked now; files checked on read, each
 * fetched from the blob of its checksum). `dir` names the version in messages.
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
    const sha256 = manifest.files?.[file]?.sha256;
    // A version published before blobs keeps its files under NAME:vN:file:<file>.
    const bytes = (sha256 && (await binary.get(keys.blob(sha256)))) || (await binary.get(keys.key(version, 'file', file)));
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
  };
}
