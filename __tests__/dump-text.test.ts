import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDist, runScript } from './helpers/dist';
import { tempDir } from './helpers/corpus';
import { buildTempIndex, renderFiles, type BuiltIndex } from './helpers/server';

/** scripts/dump-text: the clean text corpus of an index, as JSON Lines or one .txt per post. */

jest.setTimeout(120_000);

let built: BuiltIndex;
beforeAll(async () => {
  ensureDist();
  built = await buildTempIndex(
    renderFiles({
      'a/2024-01-01-first.md': { title: '第一篇', body: '<p>山谷里的<b>溪水</b>清澈见底。</p><script>track()</script><p>第二段。</p>' },
      'b.html': { title: '第二篇', body: '<p>城墙下的集市每周开放两天。</p>' },
    }),
  );
});
afterAll(() => built.cleanup());

test('JSON Lines on stdout: every post with its clean text (no markup, no scripts)', async () => {
  const r = await runScript('dump-text.js', ['--index', built.indexDir]);
  expect(r.code).toBe(0);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; title: string; text: string });
  expect(rows.map((x) => x.id).sort()).toEqual(['a/2024-01-01-first.md', 'b.html']);
  const first = rows.find((x) => x.id === 'a/2024-01-01-first.md')!;
  expect(first.title).toBe('第一篇');
  expect(first.text).toBe('山谷里的溪水清澈见底。\n第二段。');
  expect(r.stderr).toMatch(/dumped 2 posts/);
});

test('--txt-dir writes one text file per post, mirroring the ids', async () => {
  const out = tempDir();
  try {
    const r = await runScript('dump-text.js', ['--index', built.indexDir, '--txt-dir', out.dir]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out.dir, 'a', '2024-01-01-first.txt'), 'utf8')).toBe('第一篇\n\n山谷里的溪水清澈见底。\n第二段。\n');
    expect(readFileSync(join(out.dir, 'b.txt'), 'utf8')).toBe('第二篇\n\n城墙下的集市每周开放两天。\n');
  } finally {
    out.cleanup();
  }
});

test('no index: a clear error and exit 1', async () => {
  const empty = tempDir();
  try {
    const r = await runScript('dump-text.js', ['--index', empty.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no index in/);
  } finally {
    empty.cleanup();
  }
});
