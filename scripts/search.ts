import { SearchEngine, type SearchResult } from '../src';
import { parseArgs } from 'node:util';
import { fail, parseOrExit } from './lib/cli';

const USAGE = `usage: npm run search -- [--index DIR] [--json] [--limit N] [--sort relevance|date] "query"

Runs one query against an index (default index-data/) and prints the ranked hits.`;

async function main(): Promise<void> {
  const { values, positionals } = parseOrExit(
    () =>
      parseArgs({
        options: {
          index: { type: 'string', default: process.env.INDEX_DIR || 'index-data' },
          json: { type: 'boolean', default: false },
          limit: { type: 'string', default: '10' },
          sort: { type: 'string', default: 'relevance' },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: true,
      }),
    USAGE,
  );
  if (positionals.length === 0) {
    process.stdout.write(USAGE + '\n');
    process.exit(2);
  }
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) fail('--limit must be a whole number from 1 to 100');
  if (values.sort !== 'relevance' && values.sort !== 'date') fail('--sort must be relevance or date');
  let result: SearchResult;
  try {
    const engine = await SearchEngine.open(values.index);
    result = engine.search(positionals.join(' '), { limit, sort: values.sort });
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  printHits(result);
}

/** Terminal rendering: <mark> becomes bold/yellow on a TTY, brackets otherwise; entities decoded. */
function printHits(r: SearchResult): void {
  const tty = process.stdout.isTTY === true;
  const show = (html: string): string =>
    html
      .replace(/<mark>/g, tty ? '\x1b[1;33m' : '[')
      .replace(/<\/mark>/g, tty ? '\x1b[0m' : ']')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  process.stdout.write(`${r.total} results (${r.tookMs.toFixed(2)} ms)\n\n`);
  r.hits.forEach((h, i) => {
    process.stdout.write(`${i + 1}. ${show(h.titleHighlighted)}  [${h.score}]\n`);
    process.stdout.write(`   ${h.date?.slice(0, 10) ?? '----------'}  ${h.author ?? ''}  ${h.id}\n`);
    if (h.url) process.stdout.write(`   ${h.url}\n`);
    process.stdout.write(`   ${show(h.snippet)}\n\n`);
  });
}

void main();
