import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { getSegmenter, normalize, SearchEngine, type Segmenter } from '../src';
import { STOP_WORDS } from '../src/analysis/stopwords';
import { allCjk, runs } from '../src/analysis/terms';
import { fail, intArg, parseOrExit } from './lib/cli';

const USAGE = `usage: npm run new-words -- --index DIR [--min-docs N] [--top N] [--out FILE] [--evaluate]

Proposes new words for a jieba user dictionary: character sequences of 3–5 characters
that jieba splits into short pieces (布林肯 → 布 林肯, transliterated names, new terms)
but that occur together in at least --min-docs documents (default 5) and whose pieces
mostly stand together. Prints (or writes to --out) one candidate per line as
"word frequency", most documents first, for you to review into the dictionary given to
build-index --user-dict. --evaluate also reports, for the candidates, how often jieba
cuts them whole without and with them as a user dictionary.`;

interface Candidate {
  word: string;
  docs: number;
  count: number;
}

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          index: { type: 'string', default: process.env.INDEX_DIR || 'index-data' },
          'min-docs': { type: 'string', default: '5' },
          top: { type: 'string', default: '200' },
          out: { type: 'string' },
          evaluate: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: false,
      }),
    USAGE,
  );
  const minDocs = intArg(values['min-docs'], '--min-docs', 1, undefined, 1);
  const top = intArg(values.top, '--top', 1, undefined, 1);
  let engine: SearchEngine;
  try {
    engine = await SearchEngine.open(values.index, { synonyms: false });
  } catch (err) {
    fail((err as Error).message);
  }
  const texts = [...engine.documents()].map((p) => normalize(p.title) + '\n' + normalize(p.text));
  const segmenter = getSegmenter();
  const dictionary = jiebaDictionary();
  const found = proposeWords(texts, segmenter, dictionary, minDocs).slice(0, top);
  const lines = found.map((c) => `${c.word} ${c.count}`);
  if (values.out) {
    writeFileSync(values.out, `# proposed by npm run new-words; review before use\n${lines.join('\n')}\n`);
    process.stderr.write(`${found.length} candidates written to ${values.out}\n`);
  } else {
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (values.evaluate) evaluate(texts, found);
}

/** jieba's own dictionary words (nodejieba's copy): candidates already there are not new. */
function jiebaDictionary(): Set<string> {
  const dict = join(dirname(require.resolve('nodejieba/package.json')), 'submodules', 'cppjieba', 'dict', 'jieba.dict.utf8');
  return new Set(
    readFileSync(dict, 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[0]),
  );
}

/**
 * Sequences of 2–3 adjacent jieba tokens, each of 1–2 characters with at least one
 * single character, joined into 3–5 characters: counted per document. Kept when they
 * occur in `minDocs` documents, are not dictionary words, and each single-character
 * piece occurs inside the sequence at least 30 % of the times it stands alone (布 of
 * 布林肯 does; 的 of 自己的 does not).
 */
export function proposeWords(texts: readonly string[], segmenter: Segmenter, dictionary: Set<string>, minDocs: number): Candidate[] {
  const docs = new Map<string, number>();
  const counts = new Map<string, number>();
  const pieceCounts = new Map<string, number>();
  for (const text of texts) {
    const seen = new Set<string>();
    const chunks = runs(text)
      .filter((r) => r.kind === 'cjk' && r.text.length >= 3)
      .map((r) => r.text);
    if (chunks.length === 0) continue;
    const tokens = segmenter.cut(chunks.join(' '));
    for (const t of tokens) if (t.length <= 2) pieceCounts.set(t, (pieceCounts.get(t) ?? 0) + 1);
    for (let i = 0; i < tokens.length; i++) {
      for (let n = 2; n <= 3 && i + n <= tokens.length; n++) {
        const parts = tokens.slice(i, i + n);
        if (parts.some((p) => p.length > 2 || !allCjk(p)) || !parts.some((p) => p.length === 1)) break;
        const w = parts.join('');
        if (w.length < 3 || w.length > 5) continue;
        counts.set(w, (counts.get(w) ?? 0) + 1);
        if (!seen.has(w)) {
          seen.add(w);
          docs.set(w, (docs.get(w) ?? 0) + 1);
        }
      }
    }
  }
  const out: Candidate[] = [];
  for (const [word, d] of docs) {
    if (d < minDocs || dictionary.has(word)) continue;
    const count = counts.get(word)!;
    // Single characters that mostly stand alone (的, 在, 中) are function words, not name parts.
    const singles = segmenter.cut(word).filter((p) => p.length === 1);
    if (singles.some((p) => STOP_WORDS.has(p))) continue;
    const commonest = Math.max(...singles.map((p) => pieceCounts.get(p) ?? count));
    if (count / Math.max(commonest, 1) < 0.3) continue;
    out.push({ word, docs: d, count });
  }
  // A candidate inside a longer candidate with nearly the same count is the same name cut short.
  const kept = out.filter((c) => !out.some((o) => o.word !== c.word && o.word.includes(c.word) && o.count >= c.count * 0.8));
  return kept.sort((a, b) => b.docs - a.docs || b.count - a.count || (a.word < b.word ? -1 : 1));
}

/** How often jieba cuts the candidates whole, without and with them as a user dictionary. */
function evaluate(texts: readonly string[], found: Candidate[]): void {
  const words = new Set(found.map((c) => c.word));
  const measure = (segmenter: Segmenter): { whole: number; all: number; vocab: number } => {
    let whole = 0;
    let all = 0;
    const cutWhole = new Set<string>();
    for (const text of texts) {
      for (const w of words) {
        let p = text.indexOf(w);
        while (p >= 0) {
          all++;
          p = text.indexOf(w, p + w.length);
        }
      }
      const chunks = runs(text)
        .filter((r) => r.kind === 'cjk')
        .map((r) => r.text);
      for (const t of segmenter.cut(chunks.join(' ')))
        if (words.has(t)) {
          whole++;
          cutWhole.add(t);
        }
    }
    return { whole, all, vocab: cutWhole.size };
  };
  const before = measure(getSegmenter());
  const tmp = mkdtempSync(join(tmpdir(), 'zhsearch-newwords-'));
  try {
    const dict = join(tmp, 'user.dict');
    writeFileSync(dict, found.map((c) => `${c.word} ${Math.max(c.count, 10)} nz`).join('\n') + '\n');
    const after = measure(getSegmenter({ userDict: dict }));
    const pct = (x: number, n: number): string => `${((100 * x) / Math.max(n, 1)).toFixed(1)} %`;
    process.stderr.write(
      [
        `${found.length} candidates, ${before.all} occurrences in the corpus`,
        `cut whole by jieba (segmentation recall): ${pct(before.whole, before.all)} without the user dictionary, ${pct(after.whole, after.all)} with it`,
        `candidates in the index vocabulary (suggestions, pinyin, did-you-mean): ${before.vocab} without, ${after.vocab} with`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
