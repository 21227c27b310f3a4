import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIndex } from '../src/indexer/build';
import { removeBoilerplate, blockHash, blockKey, docBlocks, resolveSources } from '../src/indexer/boilerplate';
import { fnv1a } from '../src/hash';
import { SHARD_TARGET_DOCS } from '../src/indexer/partition';
import { SearchEngine } from '../src/engine';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';

/**
 * Boilerplate removal on a small archive written for the test: twelve posts of one site
 * end with the same share bar and a "相关文章" list of other posts' titles; two posts of
 * another site use the same words in their own text.
 */

jest.setTimeout(300_000);

const SITE = 'https://www.harbour-daily.example/story';
const OTHER = 'https://notes.other-site.example/p';

/** Twelve titles, each with a word no body uses (so a match on it comes from a title or a list). */
const TITLES = [
  '灯塔守夜人的最后一班',
  '渡轮停航后的小岛',
  '鱼市凌晨四点开门',
  '造船厂里的女焊工',
  '退潮时捡到的旧瓶子',
  '海堤加高工程开工',
  '台风夜的避风港',
  '老码头改成了书店',
  '潜水员清理海底垃圾',
  '盐田晒盐靠天吃饭',
  '海鸥为何不怕人',
  '港口夜班公交开通',
];

/** The post's own paragraphs: original sentences, different in every post. */
function ownText(i: number): string {
  return [
    `<p>第${i + 1}篇报道的记者在清晨抵达现场，沿着海岸走了很久，和当地居民聊起这些年的变化。</p>`,
    `<p>受访者回忆说，过去这里只有几户人家，如今每到周末都会来许多游客，镇上的生意也跟着好了起来。</p>`,
    `<p>本篇的独有词是编号${i + 1}号标记，只出现在这一篇的正文里。</p>`,
  ].join('\n');
}

/** The share bar every post of the site ends with: a made-up phrase 浮动视窗 occurs only here. */
const SHARE_BAR = [
  '<div class="share"><h3>分享本文：</h3><ul>',
  '<li><a href="#">在浮动视窗中分享到微博</a></li>',
  '<li><a href="#">在浮动视窗中分享到脸书</a></li>',
  '</ul><p>点个赞吧</p><p>读取中……</p></div>',
].join('\n');

/** The "related" list: the titles of the next three posts. */
function related(i: number): string {
  const items = [1, 2, 3].map((d) => `<li><a href="#">${TITLES[(i + d) % TITLES.length]}</a></li>`);
  return `<div class="related"><h4>相关文章</h4><ul>${items.join('')}</ul></div>`;
}

function sitePost(i: number): string {
  return renderPost({
    title: TITLES[i],
    date: `2024-05-${String(i + 1).padStart(2, '0')}`,
    from: `${SITE}/${i + 1}`,
    body: `${ownText(i)}\n${SHARE_BAR}\n${related(i)}`,
  });
}

function archive(): Record<string, string> {
  const files: Record<string, string> = {};
  TITLES.forEach((_, i) => (files[`site/p${String(i + 1).padStart(2, '0')}.md`] = sitePost(i)));
  // Another site: 浮动视窗 and 相关文章 are its own words here, and it must keep them.
  files['other/a.md'] = renderPost({
    title: '桌面软件的浮动视窗设计',
    date: '2024-06-01',
    from: `${OTHER}/1`,
    body: '<p>这篇笔记讨论桌面软件里的浮动视窗，以及它为什么总是挡住正在编辑的文字。</p>',
  });
  files['other/b.md'] = renderPost({
    title: '写作者如何整理相关文章',
    date: '2024-06-02',
    from: `${OTHER}/2`,
    body: '<p>整理相关文章的时候，作者习惯先列出题目，再逐一补上摘要。</p>',
  });
  return files;
}

function ids(engine: SearchEngine, q: string): string[] {
  return engine.matchIds(q).sort();
}

test("a share bar repeated across one site is not indexed, stored or shown; the posts' own text is", async () => {
  const corpus = tempCorpus(archive());
  const out = tempDir();
  try {
    await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
    const engine = await SearchEngine.open(out.dir);
    expect(engine.info().docs).toBe(14);
    // The phrase of the share bar finds only the other site's post, which uses it itself.
    expect(ids(engine, '"浮动视窗"')).toEqual(['other/a.md']);
    expect(ids(engine, '分享到微博')).toEqual([]);
    expect(ids(engine, '读取中')).toEqual([]);
    // Real content is still found: a sentence every post has, and each post's own word.
    expect(ids(engine, '游客 生意').length).toBe(12);
    expect(ids(engine, '"编号7号标记"')).toEqual(['site/p07.md']);
    // Stored text and snippets: no share bar, no related list.
    const post = engine.get('site/p03.md')!;
    expect(post.text).toContain('第3篇报道的记者');
    expect(post.text).not.toContain('浮动视窗');
    expect(post.text).not.toContain('相关文章');
    expect(post.text).not.toContain(TITLES[3]);
    const hit = engine.search('游客', { limit: 20 }).hits.find((h) => h.id === 'site/p03.md')!;
    expect(JSON.stringify(hit)).not.toContain('浮动视窗');
  } finally {
    corpus.cleanup();
    out.cleanup();
  }
});

test('the titles of a "related" list no longer make posts match each other', async () => {
  const corpus = tempCorpus(archive());
  const out = tempDir();
  try {
    await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
    const engine = await SearchEngine.open(out.dir);
    // 灯塔 is in post 1's title and in the related lists of posts 10, 11 and 12.
    expect(ids(engine, '灯塔')).toEqual(['site/p01.md']);
    expect(ids(engine, '"海鸥为何不怕人"')).toEqual(['site/p11.md']);
    // The other site keeps its own use of 相关文章.
    expect(ids(engine, '"相关文章"')).toEqual(['other/b.md']);
  } finally {
    corpus.cleanup();
    out.cleanup();
  }
});

test('the build report lists the removed template blocks with the number of posts', async () => {
  const corpus = tempCorpus(archive());
  const out = tempDir();
  try {
    const report = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
    const b = report.boilerplate;
    const texts = b.top.map((t) => t.text);
    for (const line of ['分享本文：', '在浮动视窗中分享到微博', '在浮动视窗中分享到脸书', '点个赞吧', '读取中……', '相关文章']) {
      expect(texts).toContain(line);
    }
    for (const t of b.top) {
      expect(t.source).toBe('harbour-daily.example');
      expect(t.count).toBe(12);
    }
    // Six template lines and three titles from each of the twelve posts.
    expect(b.posts).toBe(12);
    expect(b.blocks).toBe(12 * 9);
    expect(b.sources).toBe(1);
  } finally {
    corpus.cleanup();
    out.cleanup();
  }
});

test('an incremental add (an update segment, then the merge) removes the same blocks as a full build', async () => {
  const files = archive();
  const corpus = tempCorpus(files);
  const inc = tempDir();
  const full = tempDir();
  try {
    await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0 });
    writeFileSync(
      join(corpus.dir, 'site/p13.md'),
      renderPost({
        title: '码头工人的午饭',
        date: '2024-05-20',
        from: `${SITE}/13`,
        body: `<p>午饭时间，码头工人们围坐在集装箱的阴影里，分着从家里带来的饭菜，聊起孩子的功课。</p>\n${SHARE_BAR}\n${related(0)}`,
      }),
    );
    await buildIndex({ corpus: corpus.dir, out: full.dir, workers: 0 });
    const b = await SearchEngine.open(full.dir);
    // The segment's post is cleaned with the blocks known at the last merge; the merge counts it.
    for (const merge of [false, true]) {
      const report = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true, merge });
      expect(report).toMatchObject({ mode: 'incremental', segments: merge ? 0 : 1 });
      expect(report.changes.added).toBe(merge ? 0 : 1);
      const a = await SearchEngine.open(inc.dir);
      expect(ids(a, '"浮动视窗"')).toEqual(['other/a.md']);
      expect(ids(a, '"码头工人们"')).toEqual(['site/p13.md']);
      // Post 13's list names posts 2-4: they match only themselves.
      expect(ids(a, '渡轮')).toEqual(['site/p02.md']);
      for (const d of b.documents()) expect(a.get(d.id)?.text).toBe(d.text);
      expect(report.boilerplate.top.find((t) => t.text === '分享本文：')?.count).toBe(merge ? 13 : 12);
    }
  } finally {
    corpus.cleanup();
    inc.cleanup();
    full.cleanup();
  }
});

/** A file id starting with `prefix` that ends a shard (see indexer/partition). */
function boundaryId(prefix: string): string {
  for (let k = 0; ; k++) {
    const id = `${prefix}${k}.md`;
    if (fnv1a(id) % SHARD_TARGET_DOCS === 0) return id;
  }
}

test('a line that becomes template text is removed from posts in reused shards too (at the merge)', async () => {
  // Shard 0 ends at a boundary file; four posts before it carry a newsletter line, one
  // short of the five needed. A fifth post in shard 1 makes it template text.
  const boundary = boundaryId('b/k');
  const files: Record<string, string> = {};
  const line = '<p>订阅我们的周报</p>';
  for (let i = 0; i < 4; i++) {
    files[`a/n${i}.md`] = renderPost({
      title: `潮汐观察第${i + 1}期`,
      from: `${SITE}/n${i}`,
      body: `<p>这一期记录了第${i + 1}次大潮的涨落时间和岸边的景象，观测者在礁石上守了一整夜。</p>\n${line}`,
    });
  }
  files[boundary] = renderPost({ title: '分界', from: `${SITE}/b`, body: '<p>这一篇只用来结束第一个分片，没有别的内容。</p>' });
  const corpus = tempCorpus(files);
  const inc = tempDir();
  const full = tempDir();
  try {
    const first = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0 });
    expect(first.shards.built).toBe(1);
    let engine = await SearchEngine.open(inc.dir);
    expect(ids(engine, '"订阅我们的周报"').length).toBe(4);

    writeFileSync(
      join(corpus.dir, 'late.md'),
      renderPost({
        title: '迟到的一期',
        from: `${SITE}/late`,
        body: `<p>这一期晚了一周才发出，因为观测站的电脑坏了，数据要重新整理。</p>\n${line}`,
      }),
    );
    // An update segment cleans with the template lines known at the last merge: four posts, not yet one.
    const segment = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true });
    expect(segment).toMatchObject({ segments: 1, shards: { built: 1 } });
    engine = await SearchEngine.open(inc.dir);
    expect(ids(engine, '"订阅我们的周报"').length).toBe(5);
    const report = await buildIndex({ corpus: corpus.dir, out: inc.dir, workers: 0, incremental: true, merge: true });
    expect(report.mode).toBe('incremental');
    // The new post's shard, and the old shard whose posts now lose the line.
    expect(report.shards).toEqual({ built: 2, reused: 0 });
    engine = await SearchEngine.open(inc.dir);
    expect(ids(engine, '"订阅我们的周报"')).toEqual([]);
    expect(ids(engine, '大潮 涨落').length).toBe(4);
    await buildIndex({ corpus: corpus.dir, out: full.dir, workers: 0 });
    const fresh = await SearchEngine.open(full.dir);
    for (const d of fresh.documents()) expect(engine.get(d.id)?.text).toBe(d.text);
  } finally {
    corpus.cleanup();
    inc.cleanup();
    full.cleanup();
  }
});

describe('removeBoilerplate', () => {
  const set = (...lines: string[]): Set<string> => new Set(lines.map((l) => blockHash(blockKey(l))));

  test("a frequent heading amid the post's paragraphs stays; at the end it goes", () => {
    const para = '这是一段足够长的正文，讲述了一件事情的来龙去脉，并且用句号结束。';
    const text = [para, '结论', para, '订阅', '分享'].join('\n');
    const r = removeBoilerplate(text, set('结论', '订阅', '分享'));
    expect(r.text).toBe([para, '结论', para].join('\n'));
    expect(r.removed.map((x) => x.text)).toEqual(['订阅', '分享']);
  });

  test('short items between template lines go; a sentence among them stays', () => {
    const para = '正文第一段很长很长，而且以句号结束。';
    const r = removeBoilerplate([para, '相关', '另一篇的题目', '标签', '港口'].join('\n'), set('相关', '标签'));
    expect(r.text).toBe(para);
    expect(r.removed.map((x) => x.hash === null)).toEqual([false, true, false, true]);
    const kept = removeBoilerplate([para, '相关', '另一篇的题目', '还是一句完整的话。', '标签', '港口'].join('\n'), set('相关', '标签'));
    expect(kept.text).toContain('还是一句完整的话。');
    expect(kept.text).toContain('另一篇的题目');
  });

  test('numbers alone are never template lines (code line numbers)', () => {
    const text = ['安装步骤如下。', '1', 'pip install something', '2', 'run the tool now'].join('\n');
    expect(removeBoilerplate(text, set('1', '2')).text).toBe(text);
  });
});

test('the source of a post: its host (www./m. aside), else a title suffix shared by others, else the archive', () => {
  const doc = (url: string | null, title: string) => docBlocks({ url, title, text: '' });
  const sources = resolveSources([
    doc('https://www.harbour-daily.example/a', '甲'),
    doc('https://m.harbour-daily.example/b', '乙'),
    doc(null, '渔村夜话 - 海边小站'),
    doc(null, '退潮以后 - 海边小站'),
    doc(null, '一篇没有出处的文章 - 独一份'),
    doc('not a url', '无题'),
  ]);
  expect(sources).toEqual(['harbour-daily.example', 'harbour-daily.example', 'title:海边小站', 'title:海边小站', '', '']);
});
