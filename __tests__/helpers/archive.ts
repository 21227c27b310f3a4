import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPost, tempDir } from './corpus';
import { pick, rng } from '../../scripts/lib/random';

/**
 * A generator of synthetic news posts from a small original vocabulary, for tests that
 * need many posts (incremental builds, watch mode, duplicates). Dates repeat on purpose
 * so that ranking ties are common.
 */

const WORDS = [
  '港口',
  '码头',
  '集装箱',
  '航运',
  '海关',
  '稻田',
  '灌溉',
  '水库',
  '旱情',
  '农机',
  '地铁',
  '隧道',
  '站台',
  '换乘',
  '公交',
  '课堂',
  '教师',
  '学生',
  '考试',
  '校园',
  '医院',
  '护士',
  '门诊',
  '疫苗',
  '药品',
  '工厂',
  '工人',
  '工资',
  '订单',
  '出口',
  '书店',
  '读者',
  '作家',
  '出版',
  '图书馆',
  '山林',
  '野火',
  '消防',
  '救援',
  '村民',
  '选举',
  '议会',
  '预算',
  '税收',
  '财政',
  '电网',
  '风电',
  '光伏',
  '储能',
  '电价',
];
const LATIN = ['alpha', 'beta', 'gamma', 'delta', 'covid', '5g', 'ai'];
const FILLER = ['今天', '记者', '表示', '认为', '目前', '已经', '开始', '继续', '情况', '问题'];

/** One random post body of `n` sentences. */
export function randomBody(rand: () => number, n: number): string {
  const paras: string[] = [];
  for (let p = 0; p < n; p++) {
    const parts: string[] = [];
    const len = 4 + Math.floor(rand() * 10);
    for (let i = 0; i < len; i++) {
      const r = rand();
      parts.push(r < 0.6 ? pick(rand, WORDS) : r < 0.95 ? pick(rand, FILLER) : ` ${pick(rand, LATIN)} `);
    }
    paras.push(`<p>${parts.join('')}。</p>`);
  }
  return paras.join('\n');
}

/** One random post file (front matter + HTML). */
export function randomPost(rand: () => number, n: number): string {
  const day = 1 + Math.floor(rand() * 6); // few distinct dates: many ties
  return renderPost({
    title: `${pick(rand, WORDS)}${pick(rand, WORDS)}${rand() < 0.3 ? pick(rand, LATIN) : ''}`,
    date: `2024-03-0${day}`,
    author: rand() < 0.5 ? '林间' : '石川',
    from: rand() < 0.1 ? 'https://example.org/shared-story' : `https://example.org/news/${n}`,
    tags: [pick(rand, WORDS)],
    categories: [rand() < 0.5 ? '新闻' : '评论'],
    body: randomBody(rand, 1 + Math.floor(rand() * 5)),
  });
}

/** Queries that exercise single words, AND, OR, phrases, titles, Latin words and exclusions. */
export function querySet(rand: () => number, n: number): string[] {
  const out = [...WORDS.slice(0, 12), ...LATIN, '港口 码头', '"集装箱航运"', 'title:港口', '地铁 OR 公交', '医院 -疫苗', '站台换乘'];
  while (out.length < n) out.push(`${pick(rand, WORDS)} ${pick(rand, [...WORDS, ...LATIN])}`);
  return out;
}

/** Run `body` on a temporary corpus of `posts` random posts (seed `seed`) and an empty index folder. */
export async function withArchive(seed: number, posts: number, body: (corpus: string, out: string) => Promise<void>): Promise<void> {
  const rand = rng(seed);
  const corpus = tempDir();
  const out = tempDir();
  try {
    for (let i = 0; i < posts; i++) writeFileSync(join(corpus.dir, `q${i}.md`), randomPost(rand, i));
    await body(corpus.dir, out.dir);
  } finally {
    corpus.cleanup();
    out.cleanup();
  }
}
