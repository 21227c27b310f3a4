import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as OpenCC from 'opencc-js';
import type { Post, SearchEngine } from '../../src';
import { charReadings, wordPinyin } from '../../src/analysis/pinyin';
import { allCjk } from '../../src/analysis/terms';
import { decodeVocab } from '../../src/format/codec';
import { openVersion } from '../../src/store/files';
import { pick, rng } from './random';

/**
 * Chinese-language evaluation (issue 4), run by `npm run eval`:
 *
 * - cross-script recall: words in both scripts (opencc-js phrase-level conversion of
 *   words cut from the corpus); a query in one script must find every document that
 *   has the word written in the other;
 * - pinyin suggestions: the 200 most frequent person and place names of the archive
 *   (vocabulary words tagged nr/nrt/nrfg/ns in jieba's dictionary), typed as toneless
 *   full pinyin and as initials; a hit is the name among the first 3 suggestions;
 * - did you mean: frequent vocabulary words with one character replaced by a common
 *   homophone (the way a pinyin input method slips), where the typo finds nothing; a
 *   hit is the original word as the correction searched instead (or as `suggestion`).
 */

/** Targets of the issue; `--check` fails below them. */
export const ZH_TARGETS = { crossScriptRecall: 0.95, pinyinTop3: 0.9, didYouMean: 0.8 };

export interface ZhEvalResult {
  crossScript: {
    words: number;
    /** Documents with the word in simplified / in traditional script, summed over words. */
    simpDocs: number;
    tradDocs: number;
    tradQueryRecall: number;
    simpQueryRecall: number;
    misses: string[];
  };
  pinyin: { names: number; fullTop3: number; initialsTop3: number; misses: string[] };
  didYouMean: { typos: number; accuracy: number; wrong: string[] };
}

/** Run the three Chinese-language measurements on a loaded engine. */
export async function zhEval(engine: SearchEngine, indexDir: string, posts: readonly Post[], seed: number): Promise<ZhEvalResult> {
  const vocab = await loadVocab(indexDir);
  return {
    crossScript: crossScript(engine, posts, vocab, seed),
    pinyin: pinyinSuggest(engine, vocab),
    didYouMean: didYouMean(engine, vocab, seed),
  };
}

async function loadVocab(indexDir: string): Promise<Array<[string, number]>> {
  const version = await openVersion(indexDir);
  const { words, dfs } = decodeVocab(await version.readGzip('vocab.json.gz'));
  return words.map((w, i) => [w, dfs[i]]);
}

const round4 = (x: number): number => Math.round(x * 10000) / 10000;

function crossScript(
  engine: SearchEngine,
  posts: readonly Post[],
  vocab: Array<[string, number]>,
  seed: number,
): ZhEvalResult['crossScript'] {
  const toTrad = OpenCC.Converter({ from: 'cn', to: 'tw' });
  const toSimp = OpenCC.Converter({ from: 'tw', to: 'cn' });
  const rand = rng(seed + 4);
  // Words whose two spellings differ, from the vocabulary (it is folded: simplified).
  const pool = vocab.filter(([w, df]) => df >= 2 && w.length >= 2 && w.length <= 4 && allCjk(w)).map(([w]) => w);
  const texts = posts.map((p) => p.title + '\n' + p.text);
  let tradTp = 0;
  let tradRel = 0;
  let simpTp = 0;
  let simpRel = 0;
  let words = 0;
  const misses: string[] = [];
  const seen = new Set<string>();
  for (let tries = 0; words < 200 && tries < 20000; tries++) {
    const w = pick(rand, pool);
    if (seen.has(w)) continue;
    seen.add(w);
    const simp = toSimp(w);
    const trad = toTrad(simp);
    if (trad === simp || trad.length !== simp.length) continue;
    const inSimp = new Set<string>();
    const inTrad = new Set<string>();
    texts.forEach((t, d) => {
      if (t.includes(simp)) inSimp.add(posts[d].id);
      if (t.includes(trad)) inTrad.add(posts[d].id);
    });
    if (inSimp.size === 0 && inTrad.size === 0) continue;
    words++;
    const byTrad = new Set(engine.matchIds(trad));
    const bySimp = new Set(engine.matchIds(simp));
    const tHit = [...inSimp].filter((id) => byTrad.has(id)).length;
    const sHit = [...inTrad].filter((id) => bySimp.has(id)).length;
    tradTp += tHit;
    tradRel += inSimp.size;
    simpTp += sHit;
    simpRel += inTrad.size;
    if (tHit < inSimp.size || sHit < inTrad.size)
      misses.push(`${trad}/${simp}: ${tHit}/${inSimp.size} simplified docs, ${sHit}/${inTrad.size} traditional docs`);
  }
  return {
    words,
    simpDocs: tradRel,
    tradDocs: simpRel,
    tradQueryRecall: round4(tradRel ? tradTp / tradRel : 1),
    simpQueryRecall: round4(simpRel ? simpTp / simpRel : 1),
    misses: misses.slice(0, 10),
  };
}

const NAME_TAGS = new Set(['nr', 'nrt', 'nrfg', 'ns', 'nsf']);

/** Person and place names of jieba's dictionary (nodejieba's copy). */
function dictionaryNames(): Set<string> {
  const dict = join(dirname(require.resolve('nodejieba/package.json')), 'submodules', 'cppjieba', 'dict', 'jieba.dict.utf8');
  const names = new Set<string>();
  for (const line of readFileSync(dict, 'utf8').split('\n')) {
    const [w, , tag] = line.split(' ');
    if (w && tag && NAME_TAGS.has(tag.trim())) names.add(w);
  }
  return names;
}

function pinyinSuggest(engine: SearchEngine, vocab: Array<[string, number]>): ZhEvalResult['pinyin'] {
  const names = dictionaryNames();
  const top = vocab
    .filter(([w]) => w.length >= 2 && w.length <= 4 && allCjk(w) && names.has(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 200)
    .map(([w]) => w);
  let full = 0;
  let initials = 0;
  const misses: string[] = [];
  for (const name of top) {
    const py = wordPinyin(name);
    const typed = py.join('');
    const got = engine.suggest(typed).slice(0, 3);
    if (got.includes(name)) full++;
    else misses.push(`${typed} → ${got.join(',')} (want ${name})`);
    if (
      engine
        .suggest(py.map((s) => s[0]).join(''))
        .slice(0, 3)
        .includes(name)
    )
      initials++;
  }
  const n = Math.max(1, top.length);
  return { names: top.length, fullTop3: round4(full / n), initialsTop3: round4(initials / n), misses: misses.slice(0, 10) };
}

function didYouMean(engine: SearchEngine, vocab: Array<[string, number]>, seed: number): ZhEvalResult['didYouMean'] {
  const rand = rng(seed + 7);
  const words = vocab.filter(([w, df]) => df >= 10 && w.length >= 2 && w.length <= 4 && allCjk(w));
  // How common each character is (documents of the words holding it), and its readings.
  const charDf = new Map<string, number>();
  for (const [w, df] of words) for (const c of w) charDf.set(c, (charDf.get(c) ?? 0) + df);
  const chars = [...charDf.keys()];
  const readings = charReadings(chars.join(''));
  const bySound = new Map<string, string[]>();
  chars.forEach((c, k) => {
    for (const r of readings[k]) (bySound.get(r) ?? bySound.set(r, []).get(r)!).push(c);
  });
  // An input method offers the common characters of a syllable first.
  for (const list of bySound.values()) list.sort((a, b) => charDf.get(b)! - charDf.get(a)!);

  let typos = 0;
  let right = 0;
  const wrong: string[] = [];
  for (let tries = 0; typos < 200 && tries < 5000; tries++) {
    const [word] = pick(rand, words);
    const k = Math.floor(rand() * word.length);
    const reading = wordPinyin(word)[k];
    const homophones = (bySound.get(reading) ?? []).filter((c) => c !== word[k]).slice(0, 8);
    if (homophones.length === 0) continue;
    const typo = word.slice(0, k) + pick(rand, homophones) + word.slice(k + 1);
    if (engine.matchIds(typo, { reinterpret: false }).length > 0) continue;
    typos++;
    // A typo that finds nothing is searched as its correction; a suggestion is offered otherwise.
    const r = engine.search(typo, { limit: 1 });
    const s = r.interpretedBy === 'spelling' ? r.interpretedAs : r.suggestion;
    if (s === word) right++;
    else wrong.push(`${typo} → ${s ?? '(none)'} (want ${word})`);
  }
  return { typos, accuracy: round4(typos ? right / typos : 0), wrong: wrong.slice(0, 10) };
}

/** Table rows for the text report. */
export function zhRows(r: ZhEvalResult): Array<[string, string, string]> {
  const t = ZH_TARGETS;
  return [
    [
      `traditional query → simplified text recall (${r.crossScript.words} words, ${r.crossScript.simpDocs} docs)`,
      String(r.crossScript.tradQueryRecall),
      `≥ ${t.crossScriptRecall}`,
    ],
    [
      `simplified query → traditional text recall (${r.crossScript.tradDocs} docs)`,
      String(r.crossScript.simpQueryRecall),
      `≥ ${t.crossScriptRecall}`,
    ],
    [`pinyin suggest top-3, ${r.pinyin.names} names (full pinyin)`, String(r.pinyin.fullTop3), `≥ ${t.pinyinTop3}`],
    ['pinyin suggest top-3 (initials only)', String(r.pinyin.initialsTop3), ''],
    [`did-you-mean on ${r.didYouMean.typos} homophone typos`, String(r.didYouMean.accuracy), `≥ ${t.didYouMean}`],
  ];
}

/** Missed targets, as messages (empty when all are met). */
export function zhMissed(r: ZhEvalResult): string[] {
  const t = ZH_TARGETS;
  return [
    r.crossScript.tradQueryRecall < t.crossScriptRecall &&
      `traditional-query recall ${r.crossScript.tradQueryRecall} < ${t.crossScriptRecall}`,
    r.crossScript.simpQueryRecall < t.crossScriptRecall &&
      `simplified-query recall ${r.crossScript.simpQueryRecall} < ${t.crossScriptRecall}`,
    r.pinyin.fullTop3 < t.pinyinTop3 && `pinyin top-3 ${r.pinyin.fullTop3} < ${t.pinyinTop3}`,
    r.didYouMean.accuracy < t.didYouMean && `did-you-mean ${r.didYouMean.accuracy} < ${t.didYouMean}`,
  ].filter((x): x is string => typeof x === 'string');
}
