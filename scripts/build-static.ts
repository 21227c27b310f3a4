import { parseArgs } from 'node:util';
import { buildStatic } from '../src/static/build';
import { fail, parseOrExit } from './lib/cli';

const USAGE = `usage: node dist/scripts/build-static.js --corpus DIR --out DIR [--permalink PATTERN] [--base-url PATH] [--link-to-source] [--shards N] [--no-full-text] [--json]

Writes a static search folder for the posts under --corpus into --out: posting
shards, document records, zhsearch.js, zhsearch-box.js and index.html. Serve the
folder from any static host (e.g. as /search/ of a Jekyll site).

--permalink       Jekyll permalink style or pattern of the site (default: date,
                  /:categories/:year/:month/:day/:title:output_ext)
--base-url        the site's baseurl, prefixed to every result link
--link-to-source  link results to each post's front matter 'from' URL instead
--shards N        number of posting shards, a power of two (default: sized to the corpus)
--no-full-text    keep only the head of each text: about half the bundle, but Chinese
                  words of 3+ characters and phrases are matched by their character
                  pairs alone and snippets come from the head`;

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          out: { type: 'string' },
          permalink: { type: 'string' },
          'base-url': { type: 'string' },
          'link-to-source': { type: 'boolean', default: false },
          'no-full-text': { type: 'boolean', default: false },
          shards: { type: 'string' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.corpus) fail(`--corpus is required\n\n${USAGE}`, 2);
  if (!values.out) fail(`--out is required\n\n${USAGE}`, 2);
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  const report = await buildStatic({
    corpus: values.corpus,
    out: values.out,
    permalink: values.permalink,
    baseUrl: values['base-url'],
    linkToSource: values['link-to-source'],
    shards,
    fullText: !values['no-full-text'],
  });
  if (values.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
  } else {
    process.stdout.write(
      `${report.docs} posts → ${values.out}: ${report.shards} shards, ${report.terms} terms, ${report.postings} postings, ` +
        `${report.files} files, ${(report.bytes / 1e6).toFixed(1)} MB in ${(report.ms / 1000).toFixed(1)} s\n`,
    );
    for (const s of report.skipped) process.stderr.write(`skipped ${s.id}: ${s.reason}\n`);
  }
}

main().catch((err: Error) => fail(err.message));
