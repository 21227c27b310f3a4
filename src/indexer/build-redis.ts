import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { shardFiles } from '../format/manifest';
import { copyVersion, openVersion } from '../store/files';
import { processAlive } from '../store/lock';
import { seedCache } from '../store/local-cache';
import { DEFAULT_GRACE_MS, RedisIndexStore } from '../store/redis';
import { buildIndex, type BuildOptions, type BuildReport } from './build';

/** Options of {@link buildRedisIndex}: a build's options without `out`, plus where in Redis. */
export interface RedisBuildOptions extends Omit<BuildOptions, 'out'> {
  /** redis://[user:pass@]host:port[/db] */
  redisUrl: string;
  /** Index name (keys NAME:…); servers read it with INDEX_NAME. */
  name: string;
  /** How long the replaced version stays readable (default 5 minutes). */
  graceMs?: number;
  /** The local cache folder of an incremental build (default: the readers', see store/local-cache). */
  cacheDir?: string;
}

/** What {@link buildRedisIndex} reports: a build's report, the version live after it, and what its publish uploaded. */
export interface RedisBuildReport extends BuildReport {
  version: string;
  /** Bytes of files stored as new blobs (0 when nothing was published). */
  uploadedBytes: number;
  /** Bytes of the version's files whose blobs Redis held already. */
  reusedBytes: number;
  /** Blobs deleted after the flip because no version in Redis lists them any more. */
  collectedBlobs: number;
}

/**
 * Build an index into Redis. Only one writer at a time: the build lock is taken first
 * and a second build is refused. The build runs as for the file backend into a local
 * staging folder (checksummed), is published as NAME:vN (each file stored once, as the
 * blob of its checksum, so only files that changed are uploaded), and NAME:current is
 * flipped to it atomically; servers follow the flip. The previous version expires after
 * the grace period, and the first build after that deletes the blobs only it listed;
 * versions of crashed builds are removed by the next build.
 *
 * With `incremental`, the live version is first copied into the staging folder (through
 * the local cache folder, so a writer fetches only files it has not seen), and the build
 * updates it as a file index's: a small change is an update segment, and readers fetch
 * only the segment's files. When nothing changed, nothing is published.
 */
export async function buildRedisIndex(options: RedisBuildOptions): Promise<RedisBuildReport> {
  const started = Date.now();
  const store = await RedisIndexStore.connect(options.redisUrl, options.name, { cacheDir: options.cacheDir });
  await removeDeadStaging();
  const staging = await mkdtemp(join(tmpdir(), `${STAGE_PREFIX}${hostname()}-${process.pid}-`));
  try {
    const lock = await store.acquireBuildLock();
    try {
      await store.removeCrashedVersions();
      const { redisUrl: _u, name: _n, graceMs: _g, cacheDir: _c, ...build } = options;
      const live = options.incremental ? await store.current() : null;
      let fullReason: string | null = null;
      if (live) {
        const reader = await store.open();
        const m = reader.manifest;
        const missing = m.shards.map((_, k) => shardFiles(k).flex).find((f) => !m.files[f]);
        if (missing)
          fullReason = `the live version ${live} was published without its word index files (${missing}): this build is a full one`;
        else await copyVersion(reader, staging);
      }
      const report = await buildIndex({ ...build, out: staging });
      if (fullReason) report.fullReason = fullReason;
      if (report.upToDate && live) {
        return {
          ...report,
          ms: Date.now() - started,
          bytes: 0,
          dir: `${store.label}@${live}`,
          version: live,
          uploadedBytes: 0,
          reusedBytes: 0,
          collectedBlobs: 0,
        };
      }
      const staged = await openVersion(staging);
      const { version, bytes, uploadedBytes, reusedBytes, collected } = await store.publish(
        staged,
        report.dir,
        lock,
        options.graceMs ?? DEFAULT_GRACE_MS,
      );
      await seedCache(store.cacheDir, report.dir, staged.manifest.files);
      const dir = `${store.label}@${version}`;
      return { ...report, ms: Date.now() - started, bytes, dir, version, uploadedBytes, reusedBytes, collectedBlobs: collected.blobs };
    } finally {
      await lock.release();
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
    await store.close();
  }
}

/** Staging folders are named STAGE_PREFIX + host + `-` + PID + `-` + random suffix, in the temporary folder. */
const STAGE_PREFIX = 'zhsearch-stage-';
const STAGE_NAME = new RegExp(`^${STAGE_PREFIX}(.+)-(\\d+)-[^-]+$`);

/**
 * Delete the staging folders of builds of this host that died without removing theirs
 * (kill -9: each holds a copy of the index). Folders of running builds, of other hosts
 * sharing the folder, or named otherwise are left alone.
 */
async function removeDeadStaging(): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = STAGE_NAME.exec(name);
    if (!m || m[1] !== hostname() || processAlive(Number(m[2]))) continue;
    await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
  }
}
