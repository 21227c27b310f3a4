import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderPost, tempDir } from './corpus';

/**
 * A hostile corpus: every kind of broken, odd or oversized post an archive of scraped
 * pages can hold, next to valid posts, each valid one with a word found in no other file.
 * Written for the tests (no text from a real archive).
 */

/** Options of {@link writeHostileCorpus}. */
export interface HostileOptions {
  /**
   * Size of the big post in MB (default 8, which keeps the test fast). The same code
   * handles 50 MB and more: `HOSTILE_BIG_MB=50 npx jest hostile-corpus` (the raw HTML is
   * then cut at 8 M characters before parsing, and the text capped at 2 M).
   */
  bigMb?: number;
  /** Extra small valid posts (`filler/…`), e.g. to give a build more than one shard. */
  fillers?: number;
}

/** A file of the corpus and what a build must say about it. */
export interface Expect {
  path: string;
  /** For indexed posts: a word found in this post only. */
  word?: string;
  /** For skipped or warned files: the reason. */
  reason?: RegExp;
}

export interface HostileCorpus {
  dir: string;
  /** Posts that must be indexed and found by their word (warned ones included). */
  valid: Array<Required<Pick<Expect, 'path' | 'word'>>>;
  /** Files that must be reported as skipped, with the reason. */
  skipped: Array<Required<Pick<Expect, 'path' | 'reason'>>>;
  /** Posts that must be indexed and reported with a warning. */
  warned: Array<Required<Pick<Expect, 'path' | 'reason'>>>;
  /** Post counts: `valid.length` plus the fillers. */
  indexed: number;
  /** Facts checked on stored documents (title, date, url). */
  facts: Record<string, { title?: string; date?: string | null; url?: string }>;
  /** True when the process runs as root: chmod 000 does not stop it from reading. */
  root: boolean;
  cleanup: () => void;
}

/** Paragraphs of the big post (about 120 bytes of UTF-8 each). */
const BIG_PARAGRAPH = '<p>山城的雨季来得很早，江边的茶馆里坐满了躲雨的人，说书先生讲到要紧处总要停一停。</p>\n';

/** GBK bytes of 中文, for a file that is not UTF-8. */
const GBK = Buffer.from('d6d0cec4', 'hex');

/** Write the hostile corpus into a new temporary folder. */
export function writeHostileCorpus(options: HostileOptions = {}): HostileCorpus {
  const bigMb = options.bigMb ?? 8;
  const fillers = options.fillers ?? 0;
  const { dir, cleanup } = tempDir();
  const root = process.getuid?.() === 0;
  const valid: HostileCorpus['valid'] = [];
  const skipped: HostileCorpus['skipped'] = [];
  const warned: HostileCorpus['warned'] = [];
  const facts: HostileCorpus['facts'] = {};

  const write = (path: string, content: string | Buffer): string => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  };
  const post = (path: string, word: string, fields: Omit<Parameters<typeof renderPost>[0], 'body'> = {}, body?: string): void => {
    write(path, renderPost({ title: '普通的一篇', ...fields, body: body ?? `<p>今天写到了${word}，别处都没有。</p>` }));
    valid.push({ path, word });
  };

  // Valid posts, plain and with encodings quirks that must still read.
  post('valid/2021-03-05-春游.md', '琥珀灯笼', { title: '春游记', date: '2021-03-05', categories: ['随笔'] });
  post('valid/2021-04-01-茶馆.md', '青瓷茶盏', { title: '茶馆一日', date: '2021-04-01', tags: ['茶'] });
  write(
    'valid/bom.md',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(renderPost({ title: '带签名的标题', body: '<p>蜜蜡书签夹在书里。</p>' }))]),
  );
  valid.push({ path: 'valid/bom.md', word: '蜜蜡书签' });
  facts['valid/bom.md'] = { title: '带签名的标题' };
  write(
    'valid/crlf.md',
    renderPost({ title: '回车换行的文章', date: '2021-05-06', body: '<p>松烟墨锭\n磨开以后很香。</p>' }).replace(/\n/g, '\r\n'),
  );
  valid.push({ path: 'valid/crlf.md', word: '松烟墨锭' });
  facts['valid/crlf.md'] = { title: '回车换行的文章', date: '2021-05-06T00:00:00.000Z' };

  // Dates in every shape the archives use, and one that is nonsense.
  post('dates/iso.md', '竹编灯罩', { date: '2021-10-26' });
  facts['dates/iso.md'] = { date: '2021-10-26T00:00:00.000Z' };
  post('dates/slash.md', '铜制风铃', { date: '2021/10/26 10:00' });
  facts['dates/slash.md'] = { date: '2021-10-26T10:00:00.000Z' };
  post('dates/epoch.md', '纸鸢长尾', { date: '1635238680000' });
  facts['dates/epoch.md'] = { date: '2021-10-26T08:58:00.000Z' };
  post('dates/nonsense.md', '苔藓石阶', { date: '去年秋天的某个下午' });
  facts['dates/nonsense.md'] = { date: null };
  warned.push({ path: 'dates/nonsense.md', reason: /invalid date/ });

  // Titles that are not strings.
  write('titles/list.md', '---\ntitle: [山城, 夜话]\n---\n<p>漆器木匣放在窗边。</p>\n');
  valid.push({ path: 'titles/list.md', word: '漆器木匣' });
  warned.push({ path: 'titles/list.md', reason: /title.*list/ });
  facts['titles/list.md'] = { title: '山城 夜话' };
  write('titles/number.md', '---\ntitle: 2046\n---\n<p>织锦围巾是旧物。</p>\n');
  valid.push({ path: 'titles/number.md', word: '织锦围巾' });
  facts['titles/number.md'] = { title: '2046' };

  // Two posts with the same source URL: both are posts of their own.
  post('dupe/a.md', '银杏书院', { from: 'https://example.com/same-story' });
  post('dupe/b.md', '枫叶渡口', { from: 'https://example.com/same-story' });
  facts['dupe/a.md'] = { url: 'https://example.com/same-story' };
  facts['dupe/b.md'] = { url: 'https://example.com/same-story' };

  // Invalid YAML: metadata ignored, body indexed, with a warning.
  write('yaml/invalid.md', '---\ntitle: [没有闭合的列表\nauthor: : 冒号太多\n---\n<p>瓦当拓片挂在墙上。</p>\n');
  valid.push({ path: 'yaml/invalid.md', word: '瓦当拓片' });
  warned.push({ path: 'yaml/invalid.md', reason: /front matter/ });

  // The big post: its word at the start (kept), text capped at 2 M characters.
  const paragraphs = Math.ceil((bigMb * 1024 * 1024) / Buffer.byteLength(BIG_PARAGRAPH));
  write('big/huge.md', renderPost({ title: '很长很长的文章', body: '<p>开头写着翡翠蜻蜓。</p>\n' + BIG_PARAGRAPH.repeat(paragraphs) }));
  valid.push({ path: 'big/huge.md', word: '翡翠蜻蜓' });
  warned.push({ path: 'big/huge.md', reason: /capped/ });

  // Deep and wide markup.
  write('deep/nested.md', renderPost({ title: '层层嵌套', body: '<div>'.repeat(10_000) + '珊瑚烛台在最里层' + '</div>'.repeat(10_000) }));
  valid.push({ path: 'deep/nested.md', word: '珊瑚烛台' });
  write('deep/unclosed.md', renderPost({ title: '从不闭合', body: '<span><i>'.repeat(5_000) + '檀香折扇在最里层' }));
  valid.push({ path: 'deep/unclosed.md', word: '檀香折扇' });
  write('tags/many.md', renderPost({ title: '十万个标签', body: '<b>字</b>'.repeat(100_000) + '<i>琉璃瓦片</i>' }));
  valid.push({ path: 'tags/many.md', word: '琉璃瓦片' });

  // Files that cannot be posts.
  write('bad/unclosed-front-matter.md', '---\ntitle: 头部没有结束\ndate: 2021-01-01\n<p>正文</p>\n');
  skipped.push({ path: 'bad/unclosed-front-matter.md', reason: /front matter never closes/ });
  write('bad/gbk.md', Buffer.concat([GBK, GBK, Buffer.from('\n---\ntitle: gbk\n---\n'), ...Array.from({ length: 40 }, () => GBK)]));
  skipped.push({ path: 'bad/gbk.md', reason: /not valid UTF-8/ });
  write('bad/image.md', Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]));
  skipped.push({ path: 'bad/image.md', reason: /binary/ });
  write('bad/zero.md', Buffer.alloc(0));
  skipped.push({ path: 'bad/zero.md', reason: /empty file/ });

  // A folder linked into itself: its post is read once, the link reported.
  post('loop/inside.md', '回廊尽头');
  symlinkSync('.', join(dir, 'loop', 'self'));
  skipped.push({ path: 'loop/self', reason: /symbolic link loop/ });

  // An unreadable file. chmod 000 does not stop root (the tests run as root in CI).
  const locked = write('perm/locked.md', renderPost({ title: '锁住的文件', body: '<p>樟木箱子上了锁。</p>' }));
  chmodSync(locked, 0o000);
  if (root) valid.push({ path: 'perm/locked.md', word: '樟木箱子' });
  else skipped.push({ path: 'perm/locked.md', reason: /permission denied/ });

  for (let i = 0; i < fillers; i++) {
    const n = String(i).padStart(4, '0');
    write(`filler/f${n}.md`, renderPost({ title: `日常记录${n}`, date: '2020-01-01', body: `<p>第${n}号日常记录：天气晴，散步。</p>` }));
  }

  return { dir, valid, skipped, warned, indexed: valid.length + fillers, facts, root, cleanup };
}
