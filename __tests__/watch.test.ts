import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { watchCorpus, type CorpusWatcher } from '../src/indexer/watch';
import type { BuildReport } from '../src/indexer/build';
import { rng } from '../scripts/lib/random';
import { renderPost, tempDir } from './helpers/corpus';
import { randomPost } from './helpers/archive';
import { rawRequest, startTestServer } from './helpers/server';
import type { RunningServer } from '../src/server/main';

/**
 * Watch mode on a real temporary folder with real file-system events: posts written,
 * changed and deleted become searchable (or unsearchable) through the running server,
 * and a burst of writes is one update, not one per file.
 */

jest.setTimeout(240_000);

const corpus = tempDir();
const out = tempDir();
const reports: BuildReport[] = [];
let watcher: CorpusWatcher;
let server: RunningServer;

beforeAll(async () => {
  const rand = rng(99);
  for (let i = 0; i < 30; i++) writeFileSync(join(corpus.dir, `base-${i}.md`), randomPost(rand, i));
  watcher = watchCorpus({
    corpus: corpus.dir,
    out: out.dir,
    workers: 0,
    debounceMs: 200,
    pollMs: 0,
    onBuild: async (r) => {
      reports.push(r);
      if (server) await server.app.reload();
    },
  });
  await watcher.ready;
  server = await startTestServer(out.dir);
});

afterAll(async () => {
  await watcher.close();
  await server.close();
  corpus.cleanup();
  out.cleanup();
});

async function ids(q: string): Promise<string[]> {
  const r = await rawRequest(server.url, `/api/search?q=${encodeURIComponent(q)}&size=100&collapse=false`);
  expect(r.status).toBe(200);
  return (r.json as { hits: Array<{ id: string }> }).hits.map((h) => h.id).sort();
}

/** Poll the server until `check` passes (no timing assertion: only a generous limit). */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

const post = (word: string): string =>
  renderPost({ title: `${word}的报道`, date: '2024-05-01', body: `<p>关于${word}的消息今天公布。</p>` });

test('a new post becomes searchable, a changed one is re-indexed, a deleted one disappears', async () => {
  const path = join(corpus.dir, 'sub', 'new.md');
  mkdirSync(join(corpus.dir, 'sub'));
  writeFileSync(path, post('翡翠湖'));
  await eventually(async () => (await ids('翡翠湖')).includes('sub/new.md'), 'new post found');

  writeFileSync(path, post('琥珀湾'));
  await eventually(async () => (await ids('琥珀湾')).includes('sub/new.md') && (await ids('翡翠湖')).length === 0, 'change seen');

  rmSync(path);
  await eventually(async () => (await ids('琥珀湾')).length === 0, 'deletion seen');
  expect(reports[0].mode).toBe('full'); // no index before the watcher started
  expect(reports.slice(1).every((r) => r.mode === 'incremental')).toBe(true);
});

test('single posts become update segments; once a merge is due the watcher merges them, and nothing is lost', async () => {
  const words = ['玛瑙港', '珊瑚礁', '砗磲岛', '玳瑁湾'];
  for (const [i, w] of words.entries()) {
    writeFileSync(join(corpus.dir, `seg-${i}.md`), post(w));
    await eventually(async () => (await ids(w)).includes(`seg-${i}.md`), `${w} found`);
  }
  const due = reports.findIndex((r) => r.mergeDue);
  expect(due).toBeGreaterThan(0);
  expect(reports[due].segments).toBeGreaterThanOrEqual(4);
  await eventually(() => reports.slice(due + 1).some((r) => r.segments === 0 && !r.upToDate), 'merge');
  for (const [i, w] of words.entries()) expect(await ids(w)).toEqual([`seg-${i}.md`]);
  expect(await ids('琥珀湾')).toEqual([]);
});

test('a burst of 200 files is indexed in a few updates, and no request fails meanwhile', async () => {
  const before = reports.length;
  let failures = 0;
  let requests = 0;
  let hammering = true;
  const hammer = (async () => {
    while (hammering) {
      const r = await rawRequest(server.url, '/api/search?q=%E6%B8%AF%E5%8F%A3');
      requests++;
      if (r.status !== 200) failures++;
    }
  })();
  const indexedBefore = reports.at(-1)!.indexed;
  for (let i = 0; i < 200; i++)
    writeFileSync(join(corpus.dir, `burst-${String(i).padStart(3, '0')}.md`), post(`玛瑙岭${i % 2 ? '北' : '南'}`));
  await eventually(async () => (await ids('玛瑙岭')).length === 100, 'burst indexed'); // size=100 caps the page
  await eventually(() => reports.at(-1)!.indexed === indexedBefore + 200, 'all 200 in the index');
  hammering = false;
  await hammer;
  expect(requests).toBeGreaterThan(0);
  expect(failures).toBe(0);
  const updates = reports.length - before;
  expect(updates).toBeGreaterThanOrEqual(1);
  expect(updates).toBeLessThanOrEqual(5);
});
