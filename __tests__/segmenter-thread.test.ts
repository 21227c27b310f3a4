import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { getSegmenter, type Segmenter, type SegmenterOptions } from '../src/analysis/segmenter';
import { ensureDist, ROOT } from './helpers/dist';

/**
 * The threaded segmenter runs its worker from the compiled code, so this suite loads it
 * from dist/ (compiled first when stale) and compares it with the in-thread segmenter.
 */
type ThreadModule = { getThreadedSegmenter(options?: SegmenterOptions): Segmenter };
let threaded: Segmenter;
let local: Segmenter;

const COMPILED = join(ROOT, 'dist', 'src', 'analysis', 'segmenter-thread.js');

beforeAll(async () => {
  ensureDist();
  const mod = (await import(COMPILED)) as ThreadModule;
  threaded = mod.getThreadedSegmenter();
  local = getSegmenter();
}, 120_000);

const SENTENCES = [
  '美国为什么要封杀华为',
  '现在的年轻人为什么不愿意生孩子',
  'WhatsApp 是如何被利用来监控异见人士的？Signal 呢',
  '中华人民共和国国务院新闻办公室发表白皮书',
  '',
  '𠀀𠀁 emoji 😀 和汉字混排',
];

test('cuts the same words as the segmenter in this thread, in both modes', () => {
  for (const s of SENTENCES) {
    expect(threaded.cut(s)).toEqual(local.cut(s));
    expect(threaded.cutForSearch(s)).toEqual(local.cutForSearch(s));
  }
  expect(threaded.name).toBe(local.name);
  expect(threaded.fingerprint).toBe(local.fingerprint);
});

test('texts and answers larger than the shared buffer come back whole', () => {
  // Longer than the initial buffer, and search mode answers with more characters than it was given.
  const long = SENTENCES.join('。').repeat(600);
  expect(long.length).toBeGreaterThan(1 << 14);
  const words = threaded.cutForSearch(long);
  expect(words).toEqual(local.cutForSearch(long));
  expect(words.join('').length).toBeGreaterThan(long.length);
  // The grown buffer keeps serving small calls.
  expect(threaded.cut(SENTENCES[0])).toEqual(local.cut(SENTENCES[0]));
});

test('one thread per dictionary, shared by every caller', async () => {
  const mod = (await import(COMPILED)) as ThreadModule;
  expect(mod.getThreadedSegmenter()).toBe(threaded);
});

test('a process using it exits on its own: the idle thread does not keep it alive', () => {
  const script = `
    const { getThreadedSegmenter } = require(${JSON.stringify(COMPILED)});
    console.log(getThreadedSegmenter().cut('封杀华为').join('/'));`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(out.trim()).toBe(local.cut('封杀华为').join('/'));
});
