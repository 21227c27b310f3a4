import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { getSegmenter } from '../src/analysis/segmenter';
import { serveSegmenter } from '../src/analysis/segmenter-service';
import { ensureDist, ROOT } from './helpers/dist';
import { mapsJieba } from './helpers/proc';

const TEXTS = ['美国大选是怎么计票的', 'WhatsApp 是如何被利用来监控异见人士的？', ''];

/**
 * The shared segmenter of a cluster (analysis/segmenter-service.ts), with real jieba and
 * real pipes: this test process serves, a child process (compiled code, as a worker runs
 * it) cuts through fds 3 and 4 synchronously. The child prints each answer as a JSON
 * line and cuts again on every line it reads.
 */
const CHILD = `
const { useSharedSegmenter, getThreadedSegmenter } = require(${JSON.stringify(join(ROOT, 'dist', 'src', 'analysis', 'segmenter-thread.js'))});
useSharedSegmenter({ request: 3, answer: 4 });
const s = getThreadedSegmenter({ backend: 'nodejieba' });
const texts = ${JSON.stringify(TEXTS)};
const answer = () => {
  try {
    process.stdout.write(JSON.stringify(texts.map((t) => [s.cut(t), s.cutForSearch(t)])) + '\\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: err.message }) + '\\n');
  }
};
answer();
process.stdin.on('data', answer);
`;

function lines(child: ChildProcess): () => Promise<unknown> {
  const queue: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else queue.push(line);
    }
  });
  return () =>
    new Promise((resolve) => {
      const l = queue.shift();
      if (l !== undefined) resolve(JSON.parse(l));
      else waiting.push((line) => resolve(JSON.parse(line)));
    });
}

describe('shared segmenter (cluster workers cut through the primary)', () => {
  beforeAll(() => ensureDist(), 120_000);

  it('answers as jieba in this process does; the client never loads a dictionary, until the service is gone', async () => {
    const local = getSegmenter({ backend: 'nodejieba' });
    const expected = TEXTS.map((t) => [local.cut(t), local.cutForSearch(t)]);
    const child = spawn(process.execPath, ['-e', CHILD], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit', 'pipe', 'pipe'] });
    try {
      const pipes = child.stdio as ReadonlyArray<unknown>;
      serveSegmenter(pipes[3] as Readable, pipes[4] as Writable, getSegmenter);
      const next = lines(child);
      expect(await next()).toEqual(expected);
      child.stdin!.write('again\n');
      expect(await next()).toEqual(expected);
      expect(mapsJieba(child.pid!)).toBe(false);

      // The service goes away (the primary's ends closed): the child loads its own and still answers.
      (pipes[3] as Readable).destroy();
      (pipes[4] as Writable).destroy();
      child.stdin!.write('again\n');
      expect(await next()).toEqual(expected);
      expect(mapsJieba(child.pid!)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
