import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The build lock of an index folder: one build at a time writes into it. The lock is a
 * file created exclusively, naming its holder (PID, host, start time), so a second
 * build is refused with a message that says who holds it, and a lock left by a build
 * that died (kill -9, power loss) is recognised as stale and taken over.
 */

/** Name of the lock file inside an index folder. */
export const LOCK_FILE = 'BUILD.lock';

/** Who holds a build lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
}

/** Thrown when another live build holds the lock of an index folder. */
export class BuildLockedError extends Error {
  constructor(
    readonly indexDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.started}` : 'a process that has not written its name yet';
    super(
      `another build is writing index ${indexDir} (${who}); wait for it to finish, or delete ${join(indexDir, LOCK_FILE)} if that process is gone`,
    );
    this.name = 'BuildLockedError';
  }
}

/** A lock file younger than this without a readable holder is being written, not stale. */
const UNREADABLE_GRACE_MS = 10_000;

/** True when process `pid` exists on this machine (EPERM: it exists, owned by another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.started === 'string') {
      return { pid: h.pid, host: h.host, started: h.started };
    }
  } catch {
    // Not JSON: treated as unreadable below.
  }
  return null;
}

/** True when the holder is certainly gone: a process of this host that no longer runs. */
function holderIsDead(holder: LockHolder | null, ageMs: number): boolean {
  if (!holder) return ageMs > UNREADABLE_GRACE_MS;
  return holder.host === hostname() && !processAlive(holder.pid);
}

/**
 * Take the build lock of `indexDir` (created if missing). Throws {@link BuildLockedError}
 * when a live build holds it; takes over a stale one. Returns the release function.
 */
export async function acquireBuildLock(indexDir: string): Promise<() => Promise<void>> {
  await fs.mkdir(indexDir, { recursive: true });
  const path = join(indexDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const text = JSON.stringify(me) + '\n';
  for (let attempt = 0; ; attempt++) {
    // Written aside and linked into place, so the lock never exists without its holder's name.
    const draft = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.new`;
    try {
      await fs.writeFile(draft, text);
      await fs.link(draft, path);
      return async () => {
        // Remove it only while it is still ours (a takeover by mistake must not be undone twice).
        const now = await fs.readFile(path, 'utf8').catch(() => null);
        if (now === text) await fs.rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await fs.rm(draft, { force: true });
    }
    const seen = await fs.readFile(path, 'utf8').catch(() => null);
    if (seen === null) continue; // released meanwhile
    const holder = parseHolder(seen);
    const age = Date.now() - ((await fs.stat(path).catch(() => null))?.mtimeMs ?? Date.now());
    if (attempt >= 3 || !holderIsDead(holder, age)) throw new BuildLockedError(indexDir, holder);
    await breakStaleLock(path, seen);
  }
}

/**
 * Move a stale lock aside and delete it. Two builds may judge the same lock stale at
 * once; the loser of the rename may have moved the winner's fresh lock instead, which it
 * recognises by its content and puts back.
 */
async function breakStaleLock(path: string, stale: string): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.stale`;
  try {
    await fs.rename(path, aside);
  } catch {
    return; // someone else moved it
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => null);
  if (moved !== null && moved !== stale) {
    await fs.link(aside, path).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}
