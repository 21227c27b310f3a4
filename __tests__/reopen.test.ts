import { promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildIndex } from '../src/indexer/build';
import { SearchEngine } from '../src/engine';
import { withArchive } from './helpers/archive';
import { liveVersionDir, renderPost, tempDir } from './helpers/corpus';

/**
 * Opening the successor of a version this process opened (a server's reload after an
 * update segment) decodes only the files that changed: the others are known by their
 * checksums. The answers are those of a fresh open.
 */

test('a reload after an update segment reads the new shard, not the unchanged shards or vocabulary', () =>
  withArchive(5, 200, async (corpus, out) => {
    await buildIndex({ corpus: corpus, out: out, workers: 0 });
    const first = await SearchEngine.open(out);
    expect(first.info().docs).toBe(200);
    writeFileSync(
      join(corpus, 'lighthouse.md'),
      renderPost({ title: '灯塔的最后一夜', date: '2024-06-01', body: '<p>守塔人熄灭了灯。</p>' }),
    );
    const update = await buildIndex({ corpus: corpus, out: out, workers: 0, incremental: true });
    expect(update.segments).toBe(1);

    const read = jest.spyOn(fsp, 'readFile');
    let second: SearchEngine;
    let names: string[];
    try {
      second = await SearchEngine.open(out);
      names = read.mock.calls.flatMap(([path]) => (typeof path === 'string' ? [basename(path)] : []));
    } finally {
      read.mockRestore();
    }
    const docsRead = names.filter((n) => n.endsWith('.docs.json.gz'));
    // The one new shard's table; the merged shards' tables and the vocabulary come from the first open.
    expect(docsRead).toHaveLength(1);
    expect(names).not.toContain('shard-0.docs.json.gz');
    expect(names).not.toContain('vocab.json.gz');

    const fresh = tempDir();
    try {
      // The same answers as an open that decodes everything (a copy of the version, read in full).
      await buildIndex({ corpus: corpus, out: fresh.dir, workers: 0 });
      const full = await SearchEngine.open(fresh.dir);
      for (const q of ['灯塔', '港口', '码头 集装箱', 'title:灯塔']) {
        expect([...second.matchIds(q)].sort()).toEqual([...full.matchIds(q)].sort());
      }
      expect(second.suggest('港')).toEqual(first.suggest('港'));
      expect(second.get('lighthouse.md')?.title).toBe('灯塔的最后一夜');
    } finally {
      fresh.cleanup();
    }
  }));

test('a manifest listing a deleted document that does not exist is refused, naming the file', () =>
  withArchive(6, 5, async (corpus, out) => {
    await buildIndex({ corpus, out, workers: 0 });
    const manifest = join(liveVersionDir(out), 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ ...(JSON.parse(readFileSync(manifest, 'utf8')) as object), deleted: [7] }));
    await expect(SearchEngine.open(out)).rejects.toThrow(
      /is damaged: manifest\.json: deleted document 7 is not one of the 5 stored; rebuild it/,
    );
  }));
