import { parseArgs } from 'node:util';
import { decodeTable, docBlocks, removeBoilerplate, resolveSources } from '../src/indexer/boilerplate';
import { readPostFile } from '../src/indexer/shard';
import { walkCorpus } from '../src/ingest/walk';
import type { Post } from '../src/ingest/post';
import { openVersion } from '../src/store/files';
import { BOILERPLATE_FILE } from '../src/format/manifest';
import { fail, intArg, parseOrExit } from './lib/cli';
import { rng } from './lib/random';

const USAGE = `usage: node dist/scripts/boilerplate-sample.js --corpus DIR --index DIR [--n 50] [--seed 1] [--json]

Re-applies the boilerplate removal of the index in --index to the posts of --corpus
(the corpus it was built from) and prints a seeded random sample of the distinct blocks
removed, with why (template: repeated across the source; item: a short line between
template lines), how many posts lost them, and one post that did: for checking by eye
that no real content is removed.`;

interface Removed {
  source: string;
  text: string;
  kind: 'template' | 'item';
  posts: number;
  example: string;
}

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          index: { type: 'string' },
          n: { type: 'string', default: '50' },
          seed: { type: 'string', default: '1' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.corpus || !values.index) fail('give --corpus DIR and --index DIR\n\n' + USAGE, 2);
  const n = intArg(values.n, '--n', 1);
  const seed = intArg(values.seed, '--seed', 0);

  const version = await openVersion(values.index).catch((e: Error) => fail(e.message));
  const { frequent } = decodeTable(await version.readGzip(BOILERPLATE_FILE), `${version.dir}/${BOILERPLATE_FILE}`);
  const maxTextChars = version.manifest.build?.maxTextChars ?? undefined;
  const { files } = await walkCorpus(values.corpus);
  const posts: Post[] = [];
  for (const f of files) {
    const r = readPostFile(f, { maxTextChars });
    if (r.post) posts.push(r.post);
  }
  const sources = resolveSources(posts.map(docBlocks));
  const removed = new Map<string, Removed>();
  let blocks = 0;
  posts.forEach((post, i) => {
    const seen = new Set<string>();
    for (const r of removeBoilerplate(post.text, frequent.get(sources[i])).removed) {
      blocks++;
      const kind = r.hash === null ? 'item' : 'template';
      const id = `${sources[i]}\0${kind}\0${r.text}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const e = removed.get(id);
      if (e) e.posts++;
      else removed.set(id, { source: sources[i] || '(archive)', text: r.text, kind, posts: 1, example: post.id });
    }
  });
  const all = [...removed.values()].sort((a, b) => (a.source + a.text < b.source + b.text ? -1 : 1));
  const rand = rng(seed);
  const sample: Removed[] = [];
  const pool = all.slice();
  while (sample.length < n && pool.length > 0) sample.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]);
  const byKind = (xs: Removed[], k: Removed['kind']): number => xs.filter((x) => x.kind === k).length;
  if (values.json) {
    process.stdout.write(JSON.stringify({ posts: posts.length, blocks, distinct: all.length, sample }, null, 2) + '\n');
    return;
  }
  const out = process.stdout;
  out.write(
    `${posts.length} posts; ${blocks} blocks removed, ${all.length} distinct (${byKind(all, 'template')} template lines, ${byKind(all, 'item')} items between them)\n`,
  );
  out.write(`sample of ${sample.length} distinct removed blocks (seed ${seed}):\n`);
  sample.forEach((s, i) => {
    const text = s.text.length > 120 ? s.text.slice(0, 119) + '…' : s.text;
    out.write(`${String(i + 1).padStart(3)}. [${s.kind}] ${s.source} ×${s.posts} (${s.example})\n     ${JSON.stringify(text)}\n`);
  });
}

void main();
