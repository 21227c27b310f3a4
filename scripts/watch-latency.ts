import { parseArgs } from 'node:util';
import { fail, intArg, parseOrExit } from './lib/cli';
import { median } from './lib/stats';
import { measureWatchLatency } from './lib/watch-latency';

const USAGE = `usage: npm run watch-latency -- --corpus DIR --index DIR [--rounds N] [--json]

Measures watch mode end to end: starts \`npm start -- --watch\` (the compiled server)
on a copy of an archive, then N times writes a new post with a word found nowhere else,
and times file write -> the word is found through GET /api/search; then deletes it and
times deletion -> gone. The posts are written into --corpus: use a scratch copy.`;

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          index: { type: 'string' },
          rounds: { type: 'string', default: '5' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.corpus || !values.index) fail('--corpus and --index are required');
  const rounds = intArg(values.rounds, '--rounds', 1, undefined, 1);

  const { addMs: add, deleteMs: del } = await measureWatchLatency({ corpus: values.corpus, index: values.index, rounds });
  const r = (xs: number[]): string => xs.map((x) => (x / 1000).toFixed(2)).join(', ');
  if (values.json)
    process.stdout.write(JSON.stringify({ addMs: add, deleteMs: del, medianAddMs: median(add), medianDeleteMs: median(del) }) + '\n');
  else {
    process.stdout.write(`write -> searchable: median ${(median(add) / 1000).toFixed(2)} s (${r(add)})\n`);
    process.stdout.write(`delete -> gone:      median ${(median(del) / 1000).toFixed(2)} s (${r(del)})\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`watch-latency: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
