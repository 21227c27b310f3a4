import type { Index } from 'flexsearch';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { importFlex } from '../format/flex';
import { shardFiles, type FileChecksum, type Manifest } from '../format/manifest';
import type { VersionReader } from './backend';
import { collectGarbage, retireVersion, type Collected } from './redis-cleanup';
import type { RedisClient, RedisKeys } from './redis-connection';
import type { RedisBuildLock } from './redis-lock';

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
  /** Bytes of the version's files. */
  bytes: number;
  /** Bytes of the files stored by this publish: those whose blob Redis did not hold. */
  uploadedBytes: number;
  /** Bytes of the files whose blob Redis held already (unchanged since an earlier version). */
  reusedBytes: number;
  build: string;
  /** What the garbage collection after the flip removed. */
  collected: Collected;
}

/** Bytes uploaded and reused by {@link uploadFiles}. */
interface Uploaded {
  uploadedBytes: number;
  reusedBytes: number;
}

/**
 * Publish a finished version from a local staging reader (the file backend's version
 * folder): store the files Redis lacks as blobs, write the manifest, flip NAME:current to
 * it atomically, give the previous version a TTL of `graceMs` and delete the blobs no
 * remaining manifest lists. Call while holding the build lock `lock`: once it is not this
 * writer's any more (a stall past its TTL let another build take it), the flip is refused
 * and nothing is collected, since the other build may rely on blobs this one would delete.
 */
export async function publishVersion(
  client: RedisClient,
  keys: RedisKeys,
  staged: VersionReader,
  stagedDir: string,
  lock: RedisBuildLock,
  graceMs: number,
): Promise<Published> {
  const version = await startVersion(client, keys);
  const manifest = staged.manifest;
  const build = manifest.buildId ?? randomBytes(8).toString('hex');
  const uploaded = await uploadFiles(client, keys, manifest, stagedDir);
  const stored: Manifest = { ...manifest, buildId: build };
  await client.set(keys.key(version, 'manifest'), JSON.stringify(stored));
  const previous = await client.get(keys.key('current'));
  crashPoint('before-flip');
  const flipped = await client.eval(FENCED_FLIP, {
    keys: [lock.key, keys.key('current'), keys.key('build'), keys.key('flips')],
    arguments: [lock.token, version, build],
  });
  if (flipped !== 1) {
    throw new Error(
      `the build lock of index ${keys.name} was lost before the flip (another build may hold it now): ${version} was not published; build again`,
    );
  }
  if (previous && previous !== version) await retireVersion(client, keys, previous, graceMs);
  const collected = (await client.get(lock.key)) === lock.token ? await collectGarbage(client, keys) : { blobs: 0, flexIndexes: 0 };
  return { version, bytes: uploaded.uploadedBytes + uploaded.reusedBytes, build, ...uploaded, collected };
}

/** Flip NAME:current and NAME:build and announce it, in one step, only while the build lock holds this writer's token. */
const FENCED_FLIP = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('PUBLISH', KEYS[4], ARGV[2])
return 1`;

/**
 * Fault injection for the crash tests (see store/files.ts): the process kills itself at
 * `step` when ZHSEARCH_CRASH_AT names it.
 */
function crashPoint(step: 'before-flip' | 'after-flex-commit'): void {
  if (process.env.ZHSEARCH_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}

/** A new version name whose marker NAME:vN:started this call set, recorded in NAME:versions. */
async function startVersion(client: RedisClient, keys: RedisKeys): Promise<string> {
  // A name whose keys exist already (NAME:seq went back, but not all data with it) is skipped.
  let version: string;
  do version = `v${await client.incr(keys.key('seq'))}`;
  while ((await client.set(keys.key(version, 'started'), new Date().toISOString(), { NX: true })) !== 'OK');
  await client.sAdd(keys.key('versions'), version);
  return version;
}

/**
 * Store each file of `manifest` whose blob NAME:blob:<sha256> Redis lacks. A shard's
 * FlexSearch export also goes into FlexSearch's adapter, committed before its blob is set:
 * an existing blob implies a complete commit (an interrupted one is repeated by the next
 * build, which finds no blob).
 */
async function uploadFiles(client: RedisClient, keys: RedisKeys, manifest: Manifest, stagedDir: string): Promise<Uploaded> {
  const flexFiles = new Set(manifest.shards.map((_, k) => shardFiles(k).flex));
  // Word index exports first: a file of the same bytes listed under another name must not
  // store the blob before the adapter commit.
  const entries = Object.entries(manifest.files).sort(([a], [b]) => Number(flexFiles.has(b)) - Number(flexFiles.has(a)));
  // Nothing else deletes blobs meanwhile: garbage collection runs under the build lock this writer holds.
  const present = await Promise.all(entries.map(([, sum]) => client.exists(keys.blob(sum.sha256))));
  const stored = new Set<string>();
  const result: Uploaded = { uploadedBytes: 0, reusedBytes: 0 };
  for (const [i, [file, sum]] of entries.entries()) {
    if (present[i] || stored.has(sum.sha256)) {
      result.reusedBytes += sum.bytes;
      continue;
    }
    const data = await readStaged(stagedDir, file, sum);
    if (flexFiles.has(file)) await commitFlexFile(client, keys, data, sum.sha256);
    await client.set(keys.blob(sum.sha256), data);
    stored.add(sum.sha256);
    result.uploadedBytes += data.length;
  }
  return result;
}

/** A staged file's bytes, refused unless they hash to the manifest's SHA-256: a blob's key is its content's address. */
async function readStaged(stagedDir: string, file: string, sum: FileChecksum): Promise<Buffer> {
  const data = await fs.readFile(join(stagedDir, file));
  if (createHash('sha256').update(data).digest('hex') !== sum.sha256) {
    throw new Error(`staged file ${join(stagedDir, file)} does not match its checksum in the manifest; build again`);
  }
  return data;
}

/** Commit the word index exported in `data` through FlexSearch's adapter, under the prefix of its checksum. */
async function commitFlexFile(client: RedisClient, keys: RedisKeys, data: Buffer, sha256: string): Promise<void> {
  const prefix = keys.flexPrefix(sha256);
  // Recorded first, so that the garbage collection finds a commit a crash left without its blob.
  await client.sAdd(keys.key('flex'), prefix);
  await commitFlex(client, importFlex((await gunzipAsync(data)).toString('utf8')), prefix);
  crashPoint('after-flex-commit');
}

async function commitFlex(client: RedisClient, index: Index, prefix: string): Promise<void> {
  const db = new RedisDB(prefix, { db: client });
  // Readers never update a version: skip the adapter's per-document reverse references.
  await (index as unknown as { mount(db: FlexRedisDB): Promise<unknown> }).mount(db);
  db.fastupdate = false;
  await (index as unknown as { commit(): Promise<void> }).commit();
}
