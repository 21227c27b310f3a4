import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Fields of a test post; anything left out gets a sensible default. */
export interface TestPost {
  title?: string | null;
  date?: string;
  author?: string;
  from?: string;
  tags?: string[];
  categories?: string[] | string;
  body: string;
}

/** Render a Jekyll-style post (front matter + HTML body) the way the archives store them. */
export function renderPost(p: TestPost): string {
  const lines = ['---', 'layout: post'];
  if (p.title !== null) lines.push(`title: ${JSON.stringify(p.title ?? '无题')}`);
  if (p.date) lines.push(`date: ${p.date}`);
  if (p.author) lines.push(`author: ${p.author}`);
  if (p.from) lines.push(`from: ${p.from}`);
  if (p.tags) lines.push(`tags: [ ${p.tags.join(', ')} ]`);
  if (p.categories) lines.push(`categories: ${Array.isArray(p.categories) ? `[ ${p.categories.join(', ')} ]` : p.categories}`);
  lines.push('---', p.body, '');
  return lines.join('\n');
}

/** A temporary folder with the given files (path → content); removed by `cleanup`. */
export function tempCorpus(files: Record<string, string | Buffer>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'zhsearch-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh empty temporary folder. */
export function tempDir(): { dir: string; cleanup: () => void } {
  return tempCorpus({});
}

/** The folder of the live version of index folder `out` (the one its CURRENT names). */
export function liveVersionDir(out: string): string {
  return join(out, readFileSync(join(out, 'CURRENT'), 'utf8').trim());
}
