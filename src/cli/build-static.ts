import { buildStatic } from '../static/build';
import { fail, intFlag, parseFlags } from './args';
import type { Command } from './command';

const usage = (prog: string): string => `usage: ${prog} --corpus DIR --out DIR [--permalink PATTERN] [--base-url PATH]
       [--link-to-source] [--shards N] [--no-full-text] [--json]

Writes a static search folder for the posts under --corpus into --out: posting
shards, document records, zhsearch.js, zhsearch-box.js and index.html. Serve the
folder from any static host (e.g. as /search/ of a Jekyll site); see docs/static.md.

--permalink       Jekyll permalink style or pattern of the site (default: date,
                  /:categories/:year/:month/:day/:title:output_ext)
--base-url        the site's baseurl, prefixed to every result link
--link-to-source  link results to each post's front matter 'from' URL instead
--shards N        number of posting shards, a power of two (default: sized to the corpus)
--no-full-text    keep only the head of each text: about half the bundle, but Chinese
                  words of 3+ characters and phrases are matched by their character
                  pairs alone and snippets come from the head
--json            print the build report as JSON`;

/** `zhsearch build-static`: a search folder for a static site, no server needed. */
export const buildStaticCommand: Command = { name: 'build-static', run };

async function run(argv: string[], prog: string): Promise<void> {
  const { values } = parseFlags(
    argv,
    {
      corpus: { type: 'string' },
      out: { type: 'string' },
      permalink: { type: 'string' },
      'base-url': { type: 'string' },
      'link-to-source': { type: 'boolean', default: false },
      'no-full-text': { type: 'boolean', default: false },
      shards: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    usage(prog),
  );
  if (!values.corpus) fail(`--corpus is required\n\n${usage(prog)}`, 2);
  if (!values.out) fail(`--out is required\n\n${usage(prog)}`, 2);
  const report = await buildStatic({
    corpus: values.corpus,
    out: values.out,
    permalink: values.permalink,
    baseUrl: values['base-url'],
    linkToSource: values['link-to-source'],
    shards: intFlag(values.shards, '--shards', 1, 1 << 20),
    fullText: !values['no-full-text'],
  }).catch((err: Error) => fail(err.message));
  if (values.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  process.stdout.write(
    `${report.docs} posts → ${values.out}: ${report.shards} shards, ${report.terms} terms, ${report.postings} postings, ` +
      `${report.files} files, ${(report.bytes / 1e6).toFixed(1)} MB in ${(report.ms / 1000).toFixed(1)} s\n`,
  );
  for (const s of report.skipped) process.stderr.write(`skipped ${s.id}: ${s.reason}\n`);
}
