import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SearchEngine } from '../src';
import { buildIndex } from '../src/indexer/build';
import { watchCorpus } from '../src/indexer/watch';
import { openVersion } from '../src/store/files';
import { BuildLockedError, LOCK_FILE } from '../src/store/lock';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';

/**
 * The file backend's index folder under concurrent and crashed builds: the build lock,
 * clean-up of unfinished folders, and what survives a kill between the version's
 * rename and the swap of CURRENT.
 */

function posts(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`p${i}.md`] = renderPost({
      title: `山谷气象站记录${i}`,
      date: '2022-04-01',
      body: `<p>第${i}天，山谷里起了雾，风从北面吹来。</p>`.repeat(3),
    });
  }
  return files;
}

let corpus: ReturnType<typeof tempCorpus>;
const outs: Array<ReturnType<typeof tempDir>> = [];
const newOut = (): string => {
  const o = tempDir();
  outs.push(o);
  return o.dir;
};

beforeAll(() => {
  corpus = tempCorpus(posts(40));
});
afterAll(() => {
  corpus?.cleanup();
  for (const o of outs) o.cleanup();
});

const current = (dir: string): string => readFileSync(join(dir, 'CURRENT'), 'utf8').trim();
const versions = (dir: string): string[] =>
  readdirSync(dir)
    .filter((e) => /^v-\d+-[0-9a-f]+$/.test(e))
    .sort();

/** The PID of a process that ran and has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('build lock', () => {
  test('of two builds started together into one folder, one is refused with a message naming the holder; the other completes', async () => {
    const out = newOut();
    const results = await Promise.allSettled([
      buildIndex({ corpus: corpus.dir, out, workers: 0 }),
      buildIndex({ corpus: corpus.dir, out, workers: 0 }),
    ]);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toBeInstanceOf(BuildLockedError);
    expect((refused[0].reason as Error).message).toMatch(
      new RegExp(`another build is writing index .* \\(process ${process.pid} on ${hostname()}, since \\d{4}-.*\\); wait for it to finish`),
    );
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    expect((await SearchEngine.open(out)).stats.docs).toBe(40); // the deprecated name of info() still answers
    // Released: the next build runs.
    await buildIndex({ corpus: corpus.dir, out, workers: 0 });
  });

  test('a lock left by a process that died is taken over', async () => {
    const out = newOut();
    await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    const pid = await deadPid();
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid, host: hostname(), started: '2020-01-01T00:00:00.000Z' }));
    const report = await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    expect(report.indexed).toBe(40);
    expect(current(out)).toBe(report.dir.split('/').pop());
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  test('a lock held by a live process is respected (refused), whatever its age', async () => {
    const out = newOut();
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), started: '2020-01-01T00:00:00.000Z' }));
    await expect(buildIndex({ corpus: corpus.dir, out, workers: 0 })).rejects.toThrow(
      new RegExp(`process ${process.ppid} on .*delete .*${LOCK_FILE} if that process is gone`),
    );
    expect(readdirSync(out)).toEqual([LOCK_FILE]);
  });
});

describe('clean-up after a build', () => {
  test('keeps the unfinished folder of a live process, removes those of dead processes', async () => {
    const out = newOut();
    await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    const live = `v-${Date.now()}-aaaaaa.${process.ppid}.tmp`;
    const dead = `v-${Date.now()}-bbbbbb.${await deadPid()}.tmp`;
    const legacy = `v-${Date.now()}-cccccc.tmp`;
    for (const d of [live, dead, legacy]) cpSync(join(out, current(out)), join(out, d), { recursive: true });
    await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    const entries = readdirSync(out);
    expect(entries).toContain(live);
    expect(entries).not.toContain(dead);
    expect(entries).not.toContain(legacy);
  });

  test('a complete version newer than CURRENT (killed before the swap) is removed; the real previous version is kept', async () => {
    const out = newOut();
    await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    const second = await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    const previous = current(out);
    expect(second.dir.endsWith(previous)).toBe(true);
    // What a build killed between its rename and the swap of CURRENT leaves behind.
    const orphan = `v-${Date.now()}-0f0f0f`;
    cpSync(join(out, previous), join(out, orphan), { recursive: true });
    await new Promise((r) => setTimeout(r, 5));
    await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    const live = current(out);
    expect(live > orphan).toBe(true);
    expect(versions(out)).toEqual([previous, live]);
  });
});

describe('watch mode and another build', () => {
  test('a watch build that finds the index locked waits for the lock, without an error, then builds', async () => {
    const dir = tempCorpus(posts(5));
    const out = newOut();
    const built: number[] = [];
    const errors: string[] = [];
    const watcher = watchCorpus({
      corpus: dir.dir,
      out,
      workers: 0,
      debounceMs: 50,
      pollMs: 0,
      onBuild: (r) => void built.push(r.indexed),
      onError: (e) => void errors.push(e.message),
    });
    try {
      await watcher.ready;
      expect(built).toEqual([5]);
      // Another build (held by a live process) has the index while a post is added.
      writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), started: new Date().toISOString() }));
      writeFileSync(join(dir.dir, 'p5.md'), renderPost({ title: '山谷气象站记录5', date: '2022-04-01', body: '<p>第5天，晴。</p>' }));
      await new Promise((r) => setTimeout(r, 1_500));
      expect({ built, errors }).toEqual({ built: [5], errors: [] });
      rmSync(join(out, LOCK_FILE));
      const deadline = Date.now() + 30_000;
      while (built.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect({ built, errors }).toEqual({ built: [5, 6], errors: [] });
    } finally {
      await watcher.close();
      dir.cleanup();
    }
  });
});

describe('a damaged CURRENT', () => {
  test('garbage bytes are not echoed raw into the error (and so the log)', async () => {
    const out = newOut();
    await buildIndex({ corpus: corpus.dir, out, workers: 0 });
    writeFileSync(join(out, 'CURRENT'), Buffer.concat([Buffer.from('\x1b[31mv-1\x00'), Buffer.from([0xff, 0xfe]), Buffer.from('\r\nX')]));
    let message = '';
    await openVersion(out).catch((err: Error) => (message = err.message));
    expect(message).toMatch(/is damaged: CURRENT names "\?\[31mv-1\?\?\?\?\?X", not a version folder/);
    expect(message).toMatch(/^[\x20-\x7e]*$/);
  });
});
