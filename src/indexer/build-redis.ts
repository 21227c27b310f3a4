import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVersion } from '../store/files';
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
}

/**
 * Build an index into Redis. Only one writer at a time: the build lock is taken first
 * and a second build is refused. The build runs as for the file backend into a local
 * staging folder (checksummed), is published under NAME:vN:…, and NAME:current is
 * flipped to it atomically; servers follow the flip. The previous version expires after
 * the grace period; versions of crashed builds are removed by the next build.
 */
export async function buildRedisIndex(options: RedisBuildOptions): Promise<BuildReport & { version: string }> {
  const started = Date.now();
  const store = await RedisIndexStore.connect(options.redisUrl, options.name);
  const staging = await mkdtemp(join(tmpdir(), 'zhsearch-stage-'));
  try {
    const release = await store.acquireBuildLock();
    try {
      await store.removeCrashedVersions();
      const { redisUrl: _u, name: _n, graceMs: _g, ...build } = options;
      const report = await buildIndex({ ...build, out: staging });
      const staged = await openVersion(staging);
      const { version, bytes } = await store.publish(staged, report.dir, options.graceMs ?? DEFAULT_GRACE_MS);
      return { ...report, ms: Date.now() - started, bytes, dir: `${store.label}@${version}`, version };
    } finally {
      await release();
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
    await store.close();
  }
}
