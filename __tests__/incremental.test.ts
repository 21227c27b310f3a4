import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIndex, buildIndexOn } from '../src/indexer/build';
import { BuildPool } from '../src/indexer/pool';
import { SearchEngine } from '../src/engine';
import { rng, pick } from '../scripts/lib/random';
import { liveVersionDir, tempDir } from './helpers/corpus';
import { querySet, randomPost, withArchive } from './helpers/archive';

/**
 * An incremental build must answer every query exactly as a full rebuild of the same
 * corpus: same ids, same order, same scores, same totals, facets and suggestions.
 */

jest.setTimeout(300_000);

/**
 * Run `body` with three fresh folders, removed afterwards: a corpus, the index built
 * incrementally, and a full build of the same corpus to compare it with.
 */
async function withFolders(body: (corpus: { dir: string }, built: { dir: string }, full: { dir: string }) => Promise<void>): Promise<void> {
  const folders = [tempDir(), tempDir(), tempDir()];
  try {
    await body(folders[0], folders[1], folders[2]);
  } finally {
    for (const f of folders) f.cleanup();
  }
}

/** Everything a user can observe of an index, for a fixed set of queries. */
function observe(engine: SearchEngine, queries: string[]): unknown {
  return {
    docs: engine.info().docs,
    results: queries.map((q) =>
      (['relevance', 'date'] as const).map((sort) => {
        const r = engine.search(q, { limit: 100, sort });
        return { q, sort, total: r.total, facets: r.facets, hits: r.hits.map((h) => [h.id, h.score]) };
      }),
    ),
    ids: queries.map((q) => engine.matchIds(q)),
    suggest: ['港', '集装', '地', 'al'].map((p) => engine.suggest(p)),
    docsList: [...engine.documents()].map((d) => d.id),
  };
}

/** Checksum of every file of the live version of `out`, by name. */
function liveFiles(out: string): Record<string, unknown> {
  const dir = liveVersionDir(out);
  const files = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, unknown> }).files;
  return Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((f) => [f, files[f]]),
  );
}

test('random add/change/delete sequences: merging incremental builds equal full rebuilds', () =>
  withFolders(async (corpus, inc, full) => {
    const rand = rng(20240301);
    const queries = querySet(rand, 40);
    const hourAgo = new Date(Date.now() - 3_600_000);
    let next = 0;
    const write = (name: string): void => {
      writeFileSync(join(corpus.dir, name), randomPost(rand, next++));
    };
    for (let i = 0; i < 400; i++) write(`p${String(i).padStart(4, '0')}.md`);
    // Old mtimes: unchanged files take the size + mtime shortcut, not the hash.
    for (const f of readdirSync(corpus.dir)) utimesSync(join(corpus.dir, f), hourAgo, hourAgo);
    const first = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true });
    expect(first.mode).toBe('full');
    expect(first.fullReason).toMatch(/no index/);
    expect(first.changes).toEqual({ added: 400, changed: 0, removed: 0, unchanged: 0 });

    for (let round = 0; round < 4; round++) {
      const files = readdirSync(corpus.dir).sort();
      const expected = { added: 0, changed: 0, removed: 0 };
      const touched = new Set<string>();
      const ops = 1 + Math.floor(rand() * 6);
      for (let k = 0; k < ops; k++) {
        const r = rand();
        const victim = pick(rand, files);
        if (touched.has(victim)) continue;
        if (r < 0.4) {
          // A new post, named so that it lands anywhere in the id order.
          const name = `p${String(Math.floor(rand() * 10000)).padStart(4, '0')}-new${round}-${k}.md`;
          write(name);
          touched.add(name);
          expected.added++;
        } else if (r < 0.55) {
          write(victim);
          touched.add(victim);
          expected.changed++;
        } else if (r < 0.7) {
          // Same size, other bytes: only the content hash can tell.
          const path = join(corpus.dir, victim);
          const before = readFileSync(path, 'utf8');
          const after = before.includes('。') ? before.replace('。', '，') : before + '，';
          writeFileSync(path, after);
          touched.add(victim);
          expected.changed++;
        } else if (r < 0.9) {
          rmSync(join(corpus.dir, victim));
          touched.add(victim);
          expected.removed++;
        } else {
          // Same bytes, new mtime: not a change.
          writeFileSync(join(corpus.dir, victim), readFileSync(join(corpus.dir, victim)));
          touched.add(victim);
        }
      }
      const report = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true, merge: true });
      expect(report.mode).toBe('incremental');
      expect(report.segments).toBe(0);
      expect(report.changes).toMatchObject(expected);
      expect(report.shards.reused).toBeGreaterThan(0);
      expect(report.shards.built).toBeLessThan(report.shards.built + report.shards.reused);

      rmSync(full.dir, { recursive: true, force: true });
      const fullReport = await buildIndex({ corpus: corpus.dir, out: full.dir, workers: 0 });
      expect(report.indexed).toBe(fullReport.indexed);
      expect(report.duplicateGroups).toBe(fullReport.duplicateGroups);
      const [a, b] = await Promise.all([SearchEngine.open(inc.dir), SearchEngine.open(full.dir)]);
      expect(observe(a, queries)).toEqual(observe(b, queries));
      // Byte for byte: every file but the manifest (build times), and the manifest's checksums.
      expect(liveFiles(inc.dir)).toEqual(liveFiles(full.dir));
    }
  }));

test('nothing changed: every shard is reused and the report says so', () =>
  withArchive(7, 50, async (corpus, out) => {
    const first = await buildIndex({ corpus, out, workers: 0 });
    const r = await buildIndex({ corpus, out, workers: 0, incremental: true });
    expect(r).toMatchObject({ mode: 'incremental', indexed: 50, changes: { added: 0, changed: 0, removed: 0, unchanged: 50 } });
    expect(r.shards.built).toBe(0);
    // Nothing to write: the live version stays.
    expect(r.upToDate).toBe(true);
    expect(r.dir).toBe(first.dir);
    expect(r.duplicateGroups).toBe(first.duplicateGroups);
  }));

test('a previous index built with other settings is rebuilt in full, with the reason', () =>
  withArchive(8, 5, async (corpus, out) => {
    await buildIndex({ corpus, out, workers: 0, maxTextChars: 1000 });
    const r = await buildIndex({ corpus, out, workers: 0, incremental: true });
    expect(r.mode).toBe('full');
    expect(r.fullReason).toMatch(/max-text-chars/);
  }));

test('a previous index whose source list is damaged is rebuilt in full, naming the file', () =>
  withArchive(9, 5, async (corpus, out) => {
    await buildIndex({ corpus, out, workers: 0 });
    const sources = join(liveVersionDir(out), 'sources.json.gz');
    const bytes = readFileSync(sources);
    bytes[bytes.length >> 1] ^= 0x5a;
    writeFileSync(sources, bytes);
    const r = await buildIndex({ corpus, out, workers: 0, incremental: true });
    expect(r.mode).toBe('full');
    expect(r.fullReason).toMatch(/damaged: sources\.json\.gz does not match its checksum/);
    expect((await SearchEngine.open(out)).info().docs).toBe(5);
  }));

test('a pool that keeps parses and analyses between builds (watch mode) writes what a fresh full build writes', () =>
  withFolders(async (corpus, kept, full) => {
    const rand = rng(9);
    const pool = new BuildPool(0, {}, true);
    try {
      for (let i = 0; i < 300; i++) writeFileSync(join(corpus.dir, `k${String(i).padStart(3, '0')}.md`), randomPost(rand, i));
      await buildIndexOn({ corpus: corpus.dir, out: kept.dir }, pool);
      // A changed post and a new one: their shards are rebuilt from kept work and new work.
      writeFileSync(join(corpus.dir, 'k100.md'), randomPost(rand, 1000));
      writeFileSync(join(corpus.dir, 'k200-new.md'), randomPost(rand, 1001));
      rmSync(join(corpus.dir, 'k050.md'));
      const report = await buildIndexOn({ corpus: corpus.dir, out: kept.dir, incremental: true, merge: true }, pool);
      expect(report.changes).toMatchObject({ added: 1, changed: 1, removed: 1 });
      expect(report.shards.reused).toBeGreaterThan(0);
      await buildIndex({ corpus: corpus.dir, out: full.dir, workers: 0 });
      expect(liveFiles(kept.dir)).toEqual(liveFiles(full.dir));
    } finally {
      await pool.close();
    }
  }));

/** What a segment version must answer as a full build does: the same posts for every query, and BM25 alike for bigram words. */
function observeMatches(engine: SearchEngine, queries: string[]): unknown {
  return {
    docs: engine.info().docs,
    ids: queries.map((q) => [q, [...engine.matchIds(q)].sort()]),
    totals: queries.map((q) => [q, engine.search(q, { limit: 1, collapse: false }).total]),
    // Two-character words: BM25 over bigram postings alone (no FlexSearch order involved).
    scores: queries
      .filter((q) => /^[\u4e00-\u9fff]{2}$/.test(q))
      .map((q) => [q, Object.fromEntries(engine.search(q, { limit: 100, collapse: false }).hits.map((h) => [h.id, h.score.toFixed(9)]))]),
    documents: [...engine.documents()].map((d) => d.id).sort(),
  };
}

test('small changes become update segments that answer as a full build does, and a merge gives the full build byte for byte', () =>
  withFolders(async (corpus, inc, full) => {
    const rand = rng(20261207);
    const queries = querySet(rand, 40);
    let next = 0;
    const write = (name: string): void => writeFileSync(join(corpus.dir, name), randomPost(rand, next++));
    for (let i = 0; i < 300; i++) write(`s${String(i).padStart(4, '0')}.md`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const f of readdirSync(corpus.dir)) utimesSync(join(corpus.dir, f), hourAgo, hourAgo);
    await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0 });
    let segments = 0;
    for (let round = 0; round < 4; round++) {
      const files = readdirSync(corpus.dir).sort();
      const victims = new Set([pick(rand, files), pick(rand, files), pick(rand, files)]);
      const [changed, removed, touchedTwice] = [...victims];
      write(changed);
      if (removed) rmSync(join(corpus.dir, removed));
      if (touchedTwice && round > 0) write(touchedTwice);
      write(`s${String(Math.floor(rand() * 10000)).padStart(4, '0')}-new${round}.md`);
      const report = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true });
      expect(report).toMatchObject({ mode: 'incremental', segments: ++segments, shards: { built: 1 } });
      expect(report.changes.added).toBe(1);
      rmSync(full.dir, { recursive: true, force: true });
      const fullReport = await buildIndex({ corpus: corpus.dir, out: full.dir, workers: 0 });
      expect(report.indexed).toBe(fullReport.indexed);
      const [a, b] = await Promise.all([SearchEngine.open(inc.dir), SearchEngine.open(full.dir)]);
      expect(observeMatches(a, queries)).toEqual(observeMatches(b, queries));
      a.close();
      b.close();
    }
    // Four segments: a merge is due, and merging gives what the full build wrote.
    const last = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true });
    expect(last).toMatchObject({ upToDate: true, segments: 4, mergeDue: true });
    const merged = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true, merge: true });
    expect(merged).toMatchObject({ mode: 'incremental', segments: 0, mergeDue: false });
    expect(liveFiles(inc.dir)).toEqual(liveFiles(full.dir));
    const [a, b] = await Promise.all([SearchEngine.open(inc.dir), SearchEngine.open(full.dir)]);
    expect(observe(a, queries)).toEqual(observe(b, queries));
  }));

test('a deletion alone writes no segment: the post disappears from answers, counts and statistics', () =>
  withArchive(11, 60, async (corpus, out) => {
    await buildIndex({ corpus, out, workers: 0 });
    const before = await SearchEngine.open(out);
    const post = [...before.documents()][7];
    const gone = post.id;
    // A phrase of its title that no other post has.
    const phrase = `title:"${post.title}"`;
    expect(before.matchIds(phrase)).toEqual([gone]);
    before.close();
    rmSync(join(corpus, gone));
    const r = await buildIndex({ corpus, out, workers: 0, incremental: true });
    expect(r).toMatchObject({ indexed: 59, segments: 0, shards: { built: 0 }, changes: { removed: 1, added: 0 } });
    const after = await SearchEngine.open(out);
    expect(after.info().docs).toBe(59);
    expect([...after.documents()].map((d) => d.id)).not.toContain(gone);
    expect(after.get(gone)).toBeNull();
    expect(after.matchIds(phrase)).toEqual([]);
    // Every query answers as a full build of the remaining posts does (bigram words need no body check).
    const full = tempDir();
    try {
      await buildIndex({ corpus, out: full.dir, workers: 0 });
      const queries = querySet(rng(11), 30);
      expect(observeMatches(after, queries)).toEqual(observeMatches(await SearchEngine.open(full.dir), queries));
    } finally {
      full.cleanup();
    }
  }));

test('an engine open on a segment version answers through a merge and after its version folder is pruned', () =>
  withArchive(12, 80, async (corpus, out) => {
    const rand = rng(13);
    await buildIndex({ corpus, out, workers: 0 });
    writeFileSync(join(corpus, 'extra-1.md'), randomPost(rand, 500));
    rmSync(join(corpus, 'q3.md'));
    expect(await buildIndex({ corpus, out, workers: 0, incremental: true })).toMatchObject({ segments: 1 });
    // No body cache: every verification reads the (by then unlinked) files again.
    const engine = await SearchEngine.open(out, { textCache: 0 });
    const queries = querySet(rand, 30);
    const answers = (): unknown => queries.map((q) => [...engine.matchIds(q)].sort());
    const expected = answers();
    let done = false;
    const merging = buildIndex({ corpus, out, workers: 0, incremental: true, merge: true }).finally(() => (done = true));
    let rounds = 0;
    while (!done) {
      expect(answers()).toEqual(expected);
      rounds++;
      await new Promise((r) => setImmediate(r));
    }
    expect((await merging).segments).toBe(0);
    expect(rounds).toBeGreaterThan(1);
    // Two more versions: the one the engine reads is pruned from the folder.
    writeFileSync(join(corpus, 'extra-2.md'), randomPost(rand, 501));
    await buildIndex({ corpus, out, workers: 0, incremental: true, merge: true });
    expect(answers()).toEqual(expected);
    const merged = await SearchEngine.open(out);
    expect(queries.map((q) => [...merged.matchIds(q)].filter((id) => id !== 'extra-2.md').sort())).toEqual(expected);
  }));

test("an update segment's report lists the skipped files and warnings in force, not those of replaced versions", () =>
  withArchive(14, 30, async (corpus, out) => {
    writeFileSync(join(corpus, 'broken.md'), '');
    writeFileSync(join(corpus, 'bare.md'), '---\ntitle: 只有标题\n---\n');
    const first = await buildIndex({ corpus, out, workers: 0 });
    expect(first.skipped.map((n) => n.path)).toContain('broken.md');
    expect(first.warnings.map((n) => n.path)).toContain('bare.md');
    writeFileSync(join(corpus, 'broken.md'), '---\ntitle: 修好了\ndate: 2024-01-01\n---\n<p>港口的文章。</p>\n');
    writeFileSync(join(corpus, 'bare.md'), '---\ntitle: 补上正文\ndate: 2024-01-02\n---\n<p>码头的文章。</p>\n');
    const r = await buildIndex({ corpus, out, workers: 0, incremental: true });
    expect(r).toMatchObject({ segments: 1, indexed: 32, changes: { changed: 2 } });
    expect(r.skipped.map((n) => n.path)).not.toContain('broken.md');
    expect(r.warnings.map((n) => n.path)).not.toContain('bare.md');
  }));
