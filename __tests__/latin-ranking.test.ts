import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIndex } from '../src/indexer/build';
import { SearchEngine } from '../src/engine';
import { rng } from '../scripts/lib/random';
import { randomBody } from './helpers/archive';
import { renderPost, tempDir } from './helpers/corpus';

jest.setTimeout(120_000);

/**
 * A Latin word's postings carry no frequencies: ranking picks the posts it scores fully
 * by FlexSearch's prominence order, which the word file lists shard by shard. On an
 * archive of several shards, the posts about the word must win wherever their shard is.
 */
test('a frequent Latin word ranks the posts about it first, whichever shard holds them', async () => {
  const corpus = tempDir();
  const out = tempDir();
  try {
    const rand = rng(7);
    // 700 posts mention the word once in passing; the three about it sort last by id (the last shard).
    for (let i = 0; i < 700; i++) {
      const body = randomBody(rand, 3).replace('。</p>', ' zephyr 。</p>');
      writeFileSync(join(corpus.dir, `a${String(i).padStart(4, '0')}.md`), renderPost({ title: `港口消息${i}`, date: '2024-03-01', body }));
    }
    for (let i = 0; i < 3; i++) {
      const body = `<p>Zephyr 公司发布新款相机，zephyr 的镜头更轻。</p>\n${randomBody(rand, 2)}\n<p>评测认为 Zephyr 值得一试。</p>`;
      writeFileSync(join(corpus.dir, `z${i}.md`), renderPost({ title: `Zephyr 相机评测${i}`, date: '2024-03-01', body }));
    }
    const report = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
    expect(report.indexed).toBe(703);
    const engine = await SearchEngine.open(out.dir);
    try {
      const r = engine.search('zephyr', { limit: 5 });
      expect(r.total).toBe(703);
      expect(
        r.hits
          .slice(0, 3)
          .map((h) => h.id)
          .sort(),
      ).toEqual(['z0.md', 'z1.md', 'z2.md']);
    } finally {
      engine.close();
    }
  } finally {
    corpus.cleanup();
    out.cleanup();
  }
});
