import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIndex, getSegmenter, SearchEngine, SEGMENTER_BACKENDS } from '../src';
import { readCurrent } from '../src/store/files';
import type { Manifest } from '../src/format/manifest';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';

describe.each(SEGMENTER_BACKENDS)('segmenter backend %s', (backend) => {
  test('cuts search-mode and precise words with HMM on', () => {
    const seg = getSegmenter({ backend });
    expect(seg.name).toBe(backend);
    expect(seg.cutForSearch('临时政府')).toEqual(expect.arrayContaining(['临时', '政府', '临时政府']));
    expect(seg.cut('城市轨道交通')).toContain('城市');
  });

  test('a user dictionary makes an invented name one word, in the index vocabulary too', () => {
    const dict = tempCorpus({ 'names.txt': '澄江晓雾 100 nr\n' });
    try {
      const plain = getSegmenter({ backend }).cut('澄江晓雾来了');
      expect(plain).not.toContain('澄江晓雾');
      const seg = getSegmenter({ backend, userDict: join(dict.dir, 'names.txt') });
      expect(seg.cut('澄江晓雾来了')).toContain('澄江晓雾');
      const engine = SearchEngine.fromDocuments([{ id: 'a', title: '来客', text: '澄江晓雾来了，大家都很高兴。' }], {
        segmenter: backend,
        userDict: join(dict.dir, 'names.txt'),
      });
      expect(engine.suggest('澄江')).toContain('澄江晓雾');
    } finally {
      dict.cleanup();
    }
  });
});

test('the manifest records the backend, and opening with another one is refused', async () => {
  const corpus = tempCorpus({ 'a.md': renderPost({ title: '测试', body: '<p>青川地铁开通。</p>' }) });
  const out = tempDir();
  try {
    await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0, segmenter: '@node-rs/jieba' });
    const manifest = JSON.parse(readFileSync(join(out.dir, await readCurrent(out.dir), 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.tokenizer.backend).toBe('@node-rs/jieba');
    await expect(SearchEngine.open(out.dir, { segmenter: 'nodejieba' })).rejects.toThrow(/built with the @node-rs\/jieba segmenter/);
    const engine = await SearchEngine.open(out.dir);
    expect(engine.search('地铁').total).toBe(1);
  } finally {
    corpus.cleanup();
    out.cleanup();
  }
});

test('an index built with a user dictionary uses it for long queries, and refuses to open once the dictionary is gone', async () => {
  const dict = tempCorpus({ 'names.txt': '澄江晓雾 100 nr\n' });
  const corpus = tempCorpus({
    'a.md': renderPost({ title: '来客', body: '<p>澄江晓雾来了，大家都很高兴。</p>' }),
    'b.md': renderPost({ title: '江边', body: '<p>澄江的晓雾散了，江边来了渔船。</p>' }),
  });
  const out = tempDir();
  try {
    const userDict = join(dict.dir, 'names.txt');
    await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0, userDict });
    const engine = await SearchEngine.open(out.dir);
    // A 6-character run is cut by jieba (loaded on this first query): with the user
    // dictionary the name is one unit, so only the post holding it verbatim matches.
    expect(engine.search('澄江晓雾来了').hits.map((h) => h.id)).toEqual(['a.md']);
    dict.cleanup();
    await expect(SearchEngine.open(out.dir)).rejects.toThrow(`user dictionary ${userDict} cannot be read`);
  } finally {
    dict.cleanup();
    corpus.cleanup();
    out.cleanup();
  }
});
