import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './random';

/** Options of {@link measureWatchLatency}. */
export interface WatchLatencyOptions {
  /** The corpus folder the server watches; posts are written into it and removed again (use a scratch copy). */
  corpus: string;
  /** The index folder (built from `corpus` when missing or older than its newest post). */
  index: string;
  /** Write → searchable → delete → gone cycles. */
  rounds: number;
  /** Give up on one wait (the first build included) after this long. */
  timeoutMs?: number;
  /** Seed of the made-up words. */
  seed?: number;
}

/** Milliseconds per round: file written → searchable, and file deleted → gone. */
export interface WatchLatency {
  addMs: number[];
  deleteMs: number[];
}

/** Random syllables from a fixed set: a made-up word that no real post contains. */
export function madeUpWord(rand: () => number): string {
  const chars = '甪甴甶畀畁畂畃畄畆畇畈畉畊畋畍畎畐畑';
  let w = '';
  for (let i = 0; i < 4; i++) w += chars[Math.floor(rand() * chars.length)];
  return w;
}

/**
 * Watch mode end to end: starts `npm start -- --watch` (the compiled server, dist/scripts/start.js)
 * on `corpus`, then each round writes a new post holding a word found nowhere else and times
 * file write → the word is found through GET /api/search, then deletes it and times
 * deletion → gone. The server is stopped before this resolves.
 */
export async function measureWatchLatency(options: WatchLatencyOptions): Promise<WatchLatency> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const child = spawn(process.execPath, [join(__dirname, '..', 'start.js'), '--corpus', options.corpus, '--watch'], {
    env: { ...process.env, PORT: '0', INDEX_DIR: options.index, LOG_LEVEL: 'warn', RATE_LIMIT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`the watching server did not start within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /serving (http:\/\/\S+),/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with code ${code}:\n${err}`));
      });
    });
    const found = async (word: string): Promise<number> => {
      const r = await fetch(`${url}/api/search?q=${encodeURIComponent(word)}&collapse=false`);
      return ((await r.json()) as { total: number }).total;
    };
    const until = async (cond: () => Promise<boolean>): Promise<number> => {
      const t0 = performance.now();
      while (!(await cond())) {
        if (performance.now() - t0 > timeoutMs) throw new Error(`gave up after ${Math.round(timeoutMs / 1000)} s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.now() - t0;
    };
    const rand = rng(options.seed ?? 5);
    const addMs: number[] = [];
    const deleteMs: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const word = madeUpWord(rand);
      const path = join(options.corpus, `9999-12-31-watch-latency-${i}.md`);
      writeFileSync(path, `---\ntitle: 测量 ${word}\ndate: 2099-12-31\n---\n<p>这是一篇测量用的短文，其中的词${word}别处没有。</p>\n`);
      try {
        addMs.push(await until(async () => (await found(word)) > 0));
      } finally {
        rmSync(path, { force: true });
      }
      deleteMs.push(await until(async () => (await found(word)) === 0));
    }
    return { addMs, deleteMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  }
}
