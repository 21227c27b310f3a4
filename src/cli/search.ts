import { DEFAULT_LIMIT, MAX_LIMIT, SearchEngine, type Hit, type SearchOptions, type SearchResult } from '../engine';
import { fail, intFlag, parseFlags } from './args';
import type { Command } from './command';

const usage = (prog: string): string => `usage: ${prog} [--index DIR] [--json] [--page N] [--limit N] [--sort relevance|date]
       [--from DATE] [--to DATE] [--category C] [--tag T] [--author A] "query"

Runs one query against the index in --index (default $INDEX_DIR or index-data/) and
prints the ranked hits with highlighted snippets (--json: the API's JSON answer).

--page N       page of --limit hits (default 1)
--limit N      hits per page, 1 to 100 (default 10)
--from DATE    earliest date: 2021, 2021-10 or 2021-10-26 (inclusive)
--to DATE      latest date, same forms (inclusive: --to 2021 ends on 2021-12-31)
--category C   only posts in category C (repeatable: any of them)
--tag T        only posts with tag T (repeatable: any of them)
--author A     only posts by author A`;

/** `zhsearch search`: one query from the terminal. */
export const search: Command = { name: 'search', run };

async function run(argv: string[], prog: string): Promise<void> {
  // Piped into `head`: stop quietly when the reader has gone.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const { values, positionals } = parseFlags(
    argv,
    {
      index: { type: 'string', default: process.env.INDEX_DIR || 'index-data' },
      json: { type: 'boolean', default: false },
      page: { type: 'string', default: '1' },
      limit: { type: 'string', default: '10' },
      sort: { type: 'string', default: 'relevance' },
      from: { type: 'string' },
      to: { type: 'string' },
      category: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
      author: { type: 'string' },
    },
    usage(prog),
  );
  if (positionals.length === 0) {
    process.stdout.write(usage(prog) + '\n');
    process.exit(2);
  }
  const limit = intFlag(values.limit, '--limit', 1, MAX_LIMIT, 1) ?? DEFAULT_LIMIT;
  const page = intFlag(values.page, '--page', 1, 1000) ?? 1;
  if (values.sort !== 'relevance' && values.sort !== 'date') fail('--sort must be relevance or date');
  const options: SearchOptions = {
    limit,
    offset: (page - 1) * limit,
    sort: values.sort,
    from: values.from && dateBound(values.from, 'start'),
    to: values.to && dateBound(values.to, 'end'),
    categories: values.category,
    tags: values.tag,
    author: values.author,
  };
  let result: SearchResult;
  try {
    // jieba loads in a thread while the index loads: a question pays for the longer of the two, not both.
    const engine = await SearchEngine.open(values.index, { segmenterThread: true });
    result = engine.search(positionals.join(' '), options);
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  printHits(result);
}

/** A year (`2021`) or month (`2021-10`) widened to its first or last day; full dates pass through. */
export function dateBound(value: string, side: 'start' | 'end'): string {
  const year = /^(\d{4})$/.exec(value);
  if (year) return side === 'start' ? `${year[1]}-01-01` : `${year[1]}-12-31`;
  const month = /^(\d{4})-(\d{2})$/.exec(value);
  if (month) {
    if (side === 'start') return `${value}-01`;
    const last = new Date(Date.UTC(Number(month[1]), Number(month[2]), 0)).getUTCDate();
    return `${value}-${String(last).padStart(2, '0')}`;
  }
  return value;
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
  const print = (hits: Hit[], first: number): void =>
    hits.forEach((h, i) => {
      process.stdout.write(`${first + i}. ${show(h.titleHighlighted)}  [${h.score}]\n`);
      process.stdout.write(`   ${h.date?.slice(0, 10) ?? '----------'}  ${h.author ?? ''}  ${h.id}\n`);
      if (h.url) process.stdout.write(`   ${h.url}\n`);
      process.stdout.write(`   ${show(h.snippet)}\n\n`);
    });
  print(r.hits, r.offset + 1);
  if (r.relaxed && r.relaxed.hits.length > 0) {
    process.stdout.write(`${r.relaxed.total} more with "${r.relaxed.query}" but without "${r.relaxed.dropped}":\n\n`);
    print(r.relaxed.hits, r.offset + r.hits.length + 1);
  }
}
