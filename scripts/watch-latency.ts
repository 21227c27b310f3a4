import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fail, intArg, parseOrExit } from './lib/cli';
import { rng } from './lib/random';
import { median } from './lib/stats';

const USAGE = `usage: npm run watch-latency -- --corpus DIR --index DIR [--rounds N] [--json]

Measures watch mode end to end: starts \`npm start -- --watch\` (the compiled server)
on a copy of an archive, then N times writes a new post with a word found nowhere else,
and times file write -> the word is found through GET /api/search; then deletes it and
times deletion -> gone. The posts are written into --corpus: use a scratch copy.`;

/** Random syllables from a fixed set: a made-up word that no real post contains. */
function madeUpWord(rand: () => number): string {
  const chars = '甪甴甶畀畁畂畃畄畆畇畈畉畊畋畍畎畐畑';
  let w = '';
  for (let i = 0; i < 4; i++) w += chars[Math.floor(rand() * chars.length)];
  return w;
}

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

  const child = spawn(process.execPath, [join(__dirname, 'start.js'), '--corpus', values.corpus, '--watch'], {
    env: { ...process.env, PORT: '0', INDEX_DIR: values.index, LOG_LEVEL: 'warn', RATE_LIMIT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /serving (http:\/\/\S+),/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with code ${code}:\n${err}`)));
  });
  const found = async (word: string): Promise<number> => {
    const r = await fetch(`${url}/api/search?q=${encodeURIComponent(word)}&collapse=false`);
    return ((await r.json()) as { total: number }).total;
  };
  const until = async (cond: () => Promise<boolean>): Promise<number> => {
    const t0 = performance.now();
    while (!(await cond())) {
      if (performance.now() - t0 > 300_000) throw new Error('gave up after 300 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    return performance.now() - t0;
  };
  const rand = rng(5);
  const add: number[] = [];
  const del: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const word = madeUpWord(rand);
      const path = join(values.corpus, `9999-12-31-watch-latency-${i}.md`);
      writeFileSync(path, `---\ntitle: 测量 ${word}\ndate: 2099-12-31\n---\n<p>这是一篇测量用的短文，其中的词${word}别处没有。</p>\n`);
      add.push(await until(async () => (await found(word)) > 0));
      rmSync(path);
      del.push(await until(async () => (await found(word)) === 0));
    }
  } finally {
    child.kill('SIGTERM');
  }
  const r = (xs: number[]): string => xs.map((x) => (x / 1000).toFixed(2)).join(', ');
  if (values.json)
    process.stdout.write(JSON.stringify({ addMs: add, deleteMs: del, medianAddMs: median(add), medianDeleteMs: median(del) }) + '\n');
  else {
    process.stdout.write(`write -> searchable: median ${(median(add) / 1000).toFixed(2)} s (${r(add)})\n`);
    process.stdout.write(`delete -> gone:      median ${(median(del) / 1000).toFixed(2)} s (${r(del)})\n`);
  }
}

void main();
