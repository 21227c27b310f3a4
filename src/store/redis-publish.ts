import type { Index } from 'flexsearch';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { importFlex } from '../format/flex';
import { shardFiles, type Manifest } from '../format/manifest';
import type { VersionReader } from './backend';
import { retireVersion } from './redis-cleanup';
import type { RedisClient, RedisKeys } from './redis-connection';

// FlexSearch's Redis adapter (flexsearch/db/redis) has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RedisDB = require('flexsearch/db/redis') as new (name: string, config: { db: RedisClient }) => FlexRedisDB;

/** The part of FlexSearch's Redis adapter zhsearch uses. */
interface FlexRedisDB {
  fastupdate: boolean;
  resolution: number;
}

const gunzipAsync = promisify(gunzip);

/** What {@link publishVersion} reports. */
export interface Published {
  version: string;
  bytes: number;
  build: string;
}

/**
 * Publish a finished version from a local staging reader (the file backend's version
 * folder), then flip NAME:current to it atomically and give the previous version a TTL of
 * `graceMs`. Call while holding the build lock.
 */
export async function publishVersion(
  client: RedisClient,
  keys: RedisKeys,
  staged: VersionReader,
  stagedDir: string,
  graceMs: number,
): Promise<Published> {
  // A name whose keys exist already (NAME:seq went back, but not all data with it) is skipped.
  let version: string;
  do version = `v${await client.incr(keys.key('seq'))}`;
  while ((await client.set(keys.key(version, 'started'), new Date().toISOString(), { NX: true })) !== 'OK');
  await client.sAdd(keys.key('versions'), version);
  const manifest = staged.manifest;
  const build = manifest.buildId ?? randomBytes(8).toString('hex');
  // The word index of each shard goes through FlexSearch's own Redis adapter.
  const flexShard = new Map(manifest.shards.map((_, k) => [shardFiles(k).flex, k]));
  const files: Manifest['files'] = {};
  let bytes = 0;
  for (const [file, sum] of Object.entries(manifest.files)) {
    const data = await fs.readFile(join(stagedDir, file));
    const shard = flexShard.get(file);
    // The word index goes into FlexSearch's adapter, and its export is stored as a file
    // too: an incremental build copies the live version into a folder to start from.
    if (shard !== undefined) await commitFlex(client, importFlex((await gunzipAsync(data)).toString('utf8')), keys.flexPrefix(version, shard));
    await client.set(keys.key(version, 'file', file), data);
    files[file] = sum;
    bytes += data.length;
  }
  const stored: Manifest = { ...manifest, buildId: build, files };
  await client.set(keys.key(version, 'manifest'), JSON.stringify(stored));
  const previous = await client.get(keys.key('current'));
  // Fault injection for the crash tests (see store/files.ts): killed with every key written, before the flip.
  if (process.env.ZHSEARCH_CRASH_AT === 'before-flip') process.kill(process.pid, 'SIGKILL');
  await client.multi().set(keys.key('current'), version).set(keys.key('build'), build).publish(keys.key('flips'), version).exec();
  if (previous && previous !== version) await retireVersion(client, keys, previous, graceMs);
  return { version, bytes, build };
}

async function commitFlex(client: RedisClient, index: Index, prefix: string): Promise<void> {
  const db = new RedisDB(prefix, { db: client });
  // Readers never update a version: skip the adapter's per-document reverse references.
  await (index as unknown as { mount(db: FlexRedisDB): Promise<unknown> }).mount(db);
  db.fastupdate = false;
  await (index as unknown as { commit(): Promise<void> }).commit();
}
