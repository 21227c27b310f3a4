import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodePost } from '../../src';
import { walkCorpus } from '../../src/ingest/walk';
import { pick, rng } from '../lib/random';

/** How the benchmark corpus is derived from the one given. */
export interface CorpusPlan {
  /** Keep only the first `limit` post files (sorted by id), or all when null. */
  limit: number | null;
  /** Copies of the corpus (1 = as it is). */
  scale: number;
}

/**
 * The corpus folder to benchmark: `source` itself, or a folder under `tmp` holding its
 * first `limit` posts and, for scale N, copies 2..N of every post under `copy-k/<id>`
 * with perturbed text (two body sentences swapped, `（副本k）` appended to the title), in
 * the same front matter + HTML format, so that every copy is a distinct document.
 */
export async function prepareCorpus(source: string, tmp: string, plan: CorpusPlan): Promise<{ dir: string; files: number }> {
  const { files } = await walkCorpus(source);
  const chosen = plan.limit === null ? files : files.slice(0, plan.limit);
  if (plan.limit === null && plan.scale === 1) return { dir: source, files: files.length };
  const dir = join(tmp, 'corpus');
  const write = (id: string, data: string | Buffer): void => {
    const p = join(dir, ...id.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
  };
  for (const f of chosen) {
    const p = join(dir, ...f.id.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    copyFileSync(f.path, p);
  }
  for (let k = 2; k <= plan.scale; k++) {
    for (const f of chosen) {
      const bytes = readFileSync(f.path);
      const decoded = decodePost(bytes);
      // Files zhsearch would skip are copied as they are (and skipped again).
      write(`copy-${k}/${f.id}`, decoded.ok ? perturb(decoded.text, k, rng(hash(f.id) ^ (k * 0x9e3779b1))) : bytes);
    }
  }
  return { dir, files: chosen.length * plan.scale };
}

/** Copy k of a post's source: title marked `（副本k）`, two body sentences swapped. */
export function perturb(source: string, k: number, rand: () => number): string {
  let frontMatter = '';
  let body = source;
  const open = /^\uFEFF?---[ \t]*\r?\n/.exec(source);
  if (open) {
    const close = /\r?\n---[ \t]*(?:\r?\n|$)/.exec(source.slice(open[0].length - 1));
    if (close) {
      const end = open[0].length - 1 + close.index + close[0].length;
      frontMatter = markTitle(source.slice(0, end), `（副本${k}）`);
      body = source.slice(end);
    }
  }
  return frontMatter + swapSentences(body, rand);
}

function markTitle(frontMatter: string, mark: string): string {
  return frontMatter.replace(/^(title:[ \t]*)(.*?)([ \t]*)$/m, (all, key: string, value: string, tail: string) => {
    if (value === '' || value.startsWith('|') || value.startsWith('>')) return all;
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) return `${key}${value.slice(0, -1)}${mark}${q}${tail}`;
    return `${key}${value}${mark}${tail}`;
  });
}

/** Swap two sentences that lie inside text (no markup, links or line breaks in them). */
function swapSentences(body: string, rand: () => number): string {
  const sentences = [...body.matchAll(/[^\s<>[\]()。！？][^<>\n[\]()。！？]+[。！？]/g)];
  if (sentences.length < 2) return body;
  const a = pick(rand, sentences);
  const others = sentences.filter((s) => s.index !== a.index && s[0] !== a[0]);
  if (others.length === 0) return body;
  const b = pick(rand, others);
  const [x, y] = a.index < b.index ? [a, b] : [b, a];
  const xi = x.index;
  const yi = y.index;
  return body.slice(0, xi) + y[0] + body.slice(xi + x[0].length, yi) + x[0] + body.slice(yi + y[0].length);
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
