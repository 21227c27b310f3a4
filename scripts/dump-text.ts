import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { shardFiles } from '../src/format/manifest';
import { decodeDocsBytes } from '../src/format/codec';
import { TextFile } from '../src/segment/text-file';
import { openVersion } from '../src/store/files';
import { fail, parseOrExit } from './lib/cli';

const USAGE = `usage: npm run dump-text -- [--index DIR] [--out FILE | --txt-dir DIR]

Dumps the clean text corpus of an index (the text zhsearch extracted from the posts'
HTML, after the ad filter): JSON Lines, one post per line
{ id, title, date, author, url, categories, tags, text }, to --out or standard output;
or with --txt-dir one UTF-8 .txt file per post (title, blank line, paragraphs).`;

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          index: { type: 'string', default: process.env.INDEX_DIR || 'index-data' },
          out: { type: 'string' },
          'txt-dir': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: false,
      }),
    USAGE,
  );
  if (values.out && values['txt-dir']) fail('give --out or --txt-dir, not both');
  let version;
  try {
    version = await openVersion(values.index);
  } catch (err) {
    fail((err as Error).message);
  }
  const txtDir = values['txt-dir'] ? resolve(values['txt-dir']) : null;
  const stream: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  let count = 0;
  // Posts replaced or removed since the last merge stay stored, listed as deleted.
  const deleted = new Set(version.manifest.deleted ?? []);
  let stored = 0;
  for (let k = 0; k < version.manifest.shards.length; k++) {
    const names = shardFiles(k);
    const metas = decodeDocsBytes(await version.readGzipBytes(names.docs), names.docs);
    const texts = TextFile.open(await version.localFile(names.text), metas.length);
    const first = stored;
    stored += metas.length;
    const posts = metas.flatMap((meta, i) => (deleted.has(first + i) ? [] : [{ ...meta, text: String(texts.read(i).display) }]));
    texts.close();
    for (const p of posts) {
      count++;
      if (txtDir) {
        const path = resolve(txtDir, p.id.replace(/\.[^./]*$/, '') + '.txt');
        if (!path.startsWith(txtDir + sep)) fail(`document id ${JSON.stringify(p.id)} would be written outside ${txtDir}`);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, `${p.title}\n\n${p.text}\n`);
        continue;
      }
      const line = JSON.stringify({
        id: p.id,
        title: p.title,
        date: p.date,
        author: p.author,
        url: p.url,
        categories: p.categories,
        tags: p.tags,
        text: p.text,
      });
      if (!stream.write(line + '\n')) await once(stream, 'drain');
    }
  }
  if (values.out) await new Promise<void>((r) => stream.end(r));
  process.stderr.write(
    `dumped ${count} posts from ${version.dir}${txtDir ? ` into ${join(txtDir, '')}` : values.out ? ` to ${values.out}` : ''}\n`,
  );
}

void main();
