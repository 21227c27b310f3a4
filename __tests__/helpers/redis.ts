import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/net';
import { describeIf, itIf } from './skip';

/**
 * A real redis-server for integration tests: its own loopback port and temp folder,
 * stoppable and restartable (data kept across a restart through an RDB snapshot taken
 * at shutdown). No mocks.
 */

const BINARY = process.env.REDIS_SERVER || 'redis-server';

/** True when redis-server can be run here. */
export const HAVE_REDIS = spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0;

/** CI sets ZHSEARCH_REQUIRE_REDIS=1: a missing redis-server is then a failure, not a skip. */
export const REQUIRE_REDIS = process.env.ZHSEARCH_REQUIRE_REDIS === '1';

const SKIP_REASON =
  'Redis tests: redis-server not found (apt-get install redis-server; CI sets ZHSEARCH_REQUIRE_REDIS=1 and always runs them)';

/**
 * `describe` when redis-server is installed (or required: the suite then fails loudly),
 * `describe.skip` otherwise, the reason printed once per run.
 */
export function describeRedis(): jest.Describe {
  return describeIf(HAVE_REDIS || REQUIRE_REDIS, SKIP_REASON);
}

/** `it` for a single Redis test in another suite (same rule as {@link describeRedis}). */
export function itRedis(): jest.It {
  return itIf(HAVE_REDIS || REQUIRE_REDIS, SKIP_REASON);
}

/** A running test redis-server. */
export interface TestRedis {
  url: string;
  port: number;
  /** Shut down (saving a snapshot) and wait for the process to exit. */
  stop(): Promise<void>;
  /** Start again on the same port and folder (after {@link stop}). */
  start(): Promise<void>;
  /** Stop and remove the folder. */
  cleanup(): Promise<void>;
}

/** Start redis-server on a free loopback port with a temp folder. */
export async function startRedis(): Promise<TestRedis> {
  if (!HAVE_REDIS) throw new Error(`${BINARY} is not installed (ZHSEARCH_REQUIRE_REDIS=1): apt-get install redis-server`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zhsearch-redis-'));
  let proc: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const p = spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '3600 1', '--appendonly', 'no', '--loglevel', 'warning'],
      {
        stdio: 'ignore',
      },
    );
    proc = p;
    await waitForPort(port, 10_000);
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM'); // redis saves its snapshot on SIGTERM when save points are set
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    cleanup: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.end();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
