import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../scripts/lib/random';
import { SearchEngine } from '../src';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';
import { DIST, ensureDist, ROOT, runScript } from './helpers/dist';

/**
 * Crash safety of the index folder: `kill -9` of the compiled build-index at any moment
 * leaves the previous complete index live and loadable, and the next build cleans up.
 * The builds use @node-rs/jieba, which loads in a fraction of nodejieba's time, so that
 * a whole build (2 workers) takes about 1.5 s and the kills cover every phase of it.
 */

const POSTS = 600;
const SEED = 61;
const BUILD_ARGS = ['--workers', '2', '--segmenter', '@node-rs/jieba'];

function corpusFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < POSTS; i++) {
    const n = String(i).padStart(4, '0');
    files[`${2010 + (i % 12)}/p${n}.md`] = renderPost({
      title: `港口观察第${i}篇`,
      date: `${2010 + (i % 12)}-03-0${1 + (i % 9)}`,
      body: `<p>清晨的港口旁边，编号${n}的记录写道：潮水退去以后，沙滩上留下了贝壳和海草。</p>`.repeat(1 + (i % 5)),
    });
  }
  return files;
}

let corpus: ReturnType<typeof tempCorpus>;
let out: ReturnType<typeof tempDir>;

beforeAll(async () => {
  ensureDist();
  corpus = tempCorpus(corpusFiles());
  out = tempDir();
  const first = await runScript('build-index.js', ['--corpus', corpus.dir, '--out', out.dir, ...BUILD_ARGS]);
  expect(first.stderr).not.toMatch(/error/i);
  expect(first.code).toBe(0);
}, 60_000);

afterAll(() => {
  corpus?.cleanup();
  out?.cleanup();
});

const current = (): string => readFileSync(join(out.dir, 'CURRENT'), 'utf8').trim();

/** The folder CURRENT names is a complete version: a manifest, and every file it lists at its recorded size. */
function expectCompleteLiveVersion(docs = POSTS): void {
  const name = current();
  expect(name).toMatch(/^v-\d+-[0-9a-f]+$/);
  const manifest = JSON.parse(readFileSync(join(out.dir, name, 'manifest.json'), 'utf8')) as {
    docCount: number;
    files: Record<string, { bytes: number }>;
  };
  expect(manifest.docCount).toBe(docs);
  for (const [file, { bytes }] of Object.entries(manifest.files))
    expect({ file, bytes: statSync(join(out.dir, name, file)).size }).toEqual({ file, bytes });
}

/** Where a kill is aimed: a delay after the start, or after a file of the new version appears. */
type Aim = { after: 'start'; ms: number } | { after: 'shard-0.docs.json.gz' | 'bigrams.bin' | 'manifest.json'; ms: number };

/** Files of the unfinished version folder (`v-….tmp`), or null when there is none. */
function tmpFiles(): string[] | null {
  const tmp = readdirSync(out.dir).find((e) => /^v-.*\.tmp$/.test(e) && !leftovers.has(e));
  if (!tmp) return null;
  try {
    return readdirSync(join(out.dir, tmp));
  } catch {
    return null; // renamed into place meanwhile
  }
}
/** `.tmp` folders of earlier killed builds. */
const leftovers = new Set<string>();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Start a build, kill -9 it where aimed; report how it ended. */
async function killedBuild(aim: Aim): Promise<{ signal: NodeJS.Signals | null; code: number | null }> {
  const child = spawn(process.execPath, [join(DIST, 'build-index.js'), '--corpus', corpus.dir, '--out', out.dir, ...BUILD_ARGS], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const exited = new Promise<{ signal: NodeJS.Signals | null; code: number | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  if (aim.after !== 'start') {
    const file = aim.after;
    while (!done && !(tmpFiles() ?? []).includes(file)) await sleep(1);
  }
  await sleep(aim.ms);
  child.kill('SIGKILL');
  return exited;
}

describe('kill -9 during a build', () => {
  test('the previous complete index stays live and loadable; the next build prunes the leftovers', async () => {
    const rand = rng(SEED);
    const between = (lo: number, hi: number): number => Math.round(lo + rand() * (hi - lo));
    const aims: Aim[] = [
      ...Array.from({ length: 3 }, (): Aim => ({ after: 'start', ms: between(50, 2000) })),
      { after: 'shard-0.docs.json.gz', ms: between(0, 50) },
      { after: 'bigrams.bin', ms: 0 },
      // Around the swap of CURRENT: the last moments a crash can matter.
      { after: 'manifest.json', ms: 0 },
      { after: 'manifest.json', ms: between(1, 10) },
      { after: 'manifest.json', ms: between(10, 20) },
      { after: 'manifest.json', ms: between(20, 40) },
    ];
    for (const aim of aims) {
      const before = current();
      const { signal, code } = await killedBuild(aim);
      for (const e of readdirSync(out.dir)) if (e.endsWith('.tmp')) leftovers.add(e);
      const now = current();

      // Killed before the swap of CURRENT: the previous version is still live; after it (or
      // finished first): the new one is. Either way, a complete version.
      if (now !== before) expect(now > before).toBe(true);
      if (signal !== 'SIGKILL') expect(code).toBe(0);
      expectCompleteLiveVersion();
      const engine = await SearchEngine.open(out.dir);
      expect(engine.info().docs).toBe(POSTS);
      expect(engine.search('港口观察第599篇').hits[0]?.id).toBe('2021/p0599.md');
    }

    // Kills at exact steps of the commit (the process SIGKILLs itself there): before the
    // version folder's rename, and between that rename and the swap of CURRENT.
    const live = current();
    const newer = (): string[] => readdirSync(out.dir).filter((e) => /^v-\d+-[0-9a-f]+$/.test(e) && e > live);
    const orphansBefore = newer().length;
    for (const step of ['before-rename', 'before-swap']) {
      const crashed = await runScript('build-index.js', ['--corpus', corpus.dir, '--out', out.dir, ...BUILD_ARGS], {
        ZHSEARCH_CRASH_AT: step,
      });
      expect({ step, signal: crashed.signal }).toEqual({ step, signal: 'SIGKILL' });
      expect(current()).toBe(live);
      expectCompleteLiveVersion();
    }
    // The second left a complete version newer than the live one, not named by CURRENT.
    expect(newer()).toHaveLength(orphansBefore + 1);
    expect(readdirSync(out.dir).some((e) => /^v-.*\.tmp$/.test(e))).toBe(true);

    const final = await runScript('build-index.js', ['--corpus', corpus.dir, '--out', out.dir, ...BUILD_ARGS]);
    expect(final.code).toBe(0);
    const entries = readdirSync(out.dir);
    expect(entries.filter((e) => e.endsWith('.tmp'))).toEqual([]);
    // Kept: the new live version and the one live before it, not the crashed build's orphan.
    expect(entries.filter((e) => /^v-/.test(e)).sort()).toEqual([live, current()].sort());
    expect(entries).not.toContain('BUILD.lock');
    expectCompleteLiveVersion();
    expect((await SearchEngine.open(out.dir)).info().docs).toBe(POSTS);
  }, 90_000);
});

describe('a damaged bigram store', () => {
  test('one byte flipped in the middle of bigrams.bin → open rejects it as damaged', async () => {
    const file = join(out.dir, current(), 'bigrams.bin');
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file);
    const original = Buffer.from(bytes);
    try {
      bytes[bytes.length >> 1] ^= 0x5a;
      writeFileSync(file, bytes);
      await expect(SearchEngine.open(out.dir)).rejects.toThrow(/damaged: bigrams\.bin does not match its checksum/);
    } finally {
      writeFileSync(file, original);
    }
    expect((await SearchEngine.open(out.dir)).info().docs).toBe(POSTS);
  });

  test('one byte flipped in a shard text file → the compiled CLI, which checks files on its checksum thread, refuses the index', async () => {
    const file = join(out.dir, current(), 'shard-0.text.bin');
    const bytes = readFileSync(file);
    const original = Buffer.from(bytes);
    try {
      bytes[bytes.length - 3] ^= 0x5a;
      writeFileSync(file, bytes);
      const run = await runScript('search.js', ['--index', out.dir, '深夜']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/damaged: shard-0\.text\.bin does not match its checksum/);
    } finally {
      writeFileSync(file, original);
    }
    const run = await runScript('search.js', ['--index', out.dir, '深夜']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }, 60_000);
});

describe('kill -9 during an update segment and during a merge', () => {
  test('the live version stays until the new one is complete, and the update is found once it is', async () => {
    // Runs after the tests above: the live index is a full build of the corpus.
    const inc = ['--incremental'];
    writeFileSync(
      join(corpus.dir, '2021/new.md'),
      renderPost({ title: '灯塔守夜人的日记', date: '2022-01-02', body: '<p>守夜人记下了每一次灯塔熄灭的时间。</p>' }),
    );
    const find = async (): Promise<string | undefined> => (await SearchEngine.open(out.dir)).search('灯塔守夜人').hits[0]?.id;
    const crashAt = async (step: string, flags: string[]): Promise<void> => {
      const live = current();
      const crashed = await runScript('build-index.js', ['--corpus', corpus.dir, '--out', out.dir, ...BUILD_ARGS, ...flags], {
        ZHSEARCH_CRASH_AT: step,
      });
      expect({ step, flags, signal: crashed.signal }).toEqual({ step, flags, signal: 'SIGKILL' });
      expect(current()).toBe(live);
    };
    for (const step of ['before-rename', 'before-swap']) await crashAt(step, inc);
    expectCompleteLiveVersion(POSTS);
    expect(await find()).toBeUndefined();

    const segment = await runScript('build-index.js', ['--corpus', corpus.dir, '--out', out.dir, ...BUILD_ARGS, ...inc, '--json']);
    expect(segment.code).toBe(0);
    expect(JSON.parse(segment.stdout)).toMatchObject({ segments: 1, indexed: POSTS + 1 });
    expectCompleteLiveVersion(POSTS + 1);
    expect(await find()).toBe('2021/new.md');

    for (const step of ['before-rename', 'before-swap']) await crashAt(step, [...inc, '--merge']);
    expectCompleteLiveVersion(POSTS + 1);
    expect(await find()).toBe('2021/new.md');

    const merged = await runScript('build-index.js', [
      '--corpus',
      corpus.dir,
      '--out',
      out.dir,
      ...BUILD_ARGS,
      ...inc,
      '--merge',
      '--json',
    ]);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ segments: 0, indexed: POSTS + 1 });
    expectCompleteLiveVersion(POSTS + 1);
    expect(await find()).toBe('2021/new.md');
    expect(readdirSync(out.dir).filter((e) => e.endsWith('.tmp'))).toEqual([]);
  }, 90_000);
});
