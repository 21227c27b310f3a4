import { bigramKey, bigramText } from '../src/analysis/bigrams';
import fc from 'fast-check';
import { getSegmenter, normalize } from '../src';
import { allCjk, countTerms, runs, unitTerms } from '../src/analysis/terms';

describe('normalize', () => {
  test('full-width Latin and digits become ASCII, upper case becomes lower', () => {
    expect(normalize('ＡＢＣ１２３')).toBe('abc123');
    expect(normalize('ｉＰｈｏｎｅ')).toBe('iphone');
    expect(normalize('COVID-19 Python')).toBe('covid-19 python');
    expect(normalize('ÀÉÎ')).toBe('àéî');
  });

  test('Chinese text is unchanged; compatibility ideographs map to the unified form', () => {
    expect(normalize('城市轨道交通')).toBe('城市轨道交通');
    // U+F900 豈 (compatibility) → U+8C48 豈, which script folding then makes 岂.
    expect(normalize('\uf900')).toBe(normalize('\u8c48'));
    expect(normalize('\uf900')).toBe('岂');
  });

  test('whitespace variants become a plain space', () => {
    expect(normalize('甲\u3000乙\u00a0丙\t丁')).toBe('甲 乙 丙 丁');
  });

  test('characters whose NFKC form is longer stay one character', () => {
    expect(normalize('㍿')).toBe('㍿');
    expect(normalize('ﬁ').length).toBe(1);
  });

  test('the result always has the input length (snippet offsets rely on it)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(normalize(s).length).toBe(s.length);
      }),
      { numRuns: 500 },
    );
    const long = 'ＡＢＣ中文'.repeat(5000);
    expect(normalize(long).length).toBe(long.length);
    expect(normalize(long).slice(0, 10)).toBe('abc中文abc中文');
  });

  test('normalizing twice changes nothing more', () => {
    for (const s of ['ＡＢＣ１２３', 'Ｈｅｌｌｏ　世界', 'COVID-19', '\uf900豈']) expect(normalize(normalize(s))).toBe(normalize(s));
  });
});

describe('runs', () => {
  test('splits text into Chinese runs and Latin/number runs with their offsets', () => {
    expect(runs('covid-19疫情下的5g网络，iphone')).toEqual([
      { kind: 'word', text: 'covid', start: 0 },
      { kind: 'word', text: '19', start: 6 },
      { kind: 'cjk', text: '疫情下的', start: 8 },
      { kind: 'word', text: '5g', start: 12 },
      { kind: 'cjk', text: '网络', start: 14 },
      { kind: 'word', text: 'iphone', start: 17 },
    ]);
  });

  test('punctuation and spaces only → no runs', () => {
    expect(runs('，。！？ ...')).toEqual([]);
    expect(runs('')).toEqual([]);
  });

  test('the offsets point at the run in the text', () => {
    const text = normalize('今天ＡＢＣ和 x2 〇〇七');
    for (const r of runs(text)) expect(text.slice(r.start, r.start + r.text.length)).toBe(r.text);
  });

  test('allCjk is true only for Chinese characters', () => {
    expect(allCjk('轨道交通')).toBe(true);
    expect(allCjk('5g网络')).toBe(false);
    expect(allCjk('')).toBe(false);
  });
});

describe('unitTerms', () => {
  test('a two-character word is exactly one bigram', () => {
    expect(unitTerms('轨道')).toEqual({ terms: ['轨道'], exact: true });
  });

  test('a longer Chinese word is the AND of its bigrams, checked against the text', () => {
    expect(unitTerms('城市轨道')).toEqual({ terms: ['城市', '市轨', '轨道'], exact: false });
  });

  test('a Latin run is one exact term', () => {
    expect(unitTerms('5g')).toEqual({ terms: ['5g'], exact: true });
    expect(unitTerms('python')).toEqual({ terms: ['python'], exact: true });
  });

  test('mixed units use every run; repeated bigrams appear once', () => {
    expect(unitTerms('covid-19')).toEqual({ terms: ['covid', '19'], exact: false });
    expect(unitTerms('2021年')).toEqual({ terms: ['2021'], exact: false });
    expect(unitTerms('哈哈哈')).toEqual({ terms: ['哈哈'], exact: false });
  });

  test('a single character or a stop word has no index term (found by scanning)', () => {
    expect(unitTerms('雨').terms).toEqual([]);
    expect(unitTerms('the').terms).toEqual([]);
  });
});

describe('countTerms', () => {
  const fresh = () => ({ words: new Map<string, number>(), bigrams: new Map<number, number>(), vocab: new Set<string>() });

  test('indexes bigrams, jieba words of 3+ characters and Latin runs, not stop words', () => {
    const counts = fresh();
    countTerms(normalize('城市轨道交通 and the iPhone'), getSegmenter(), counts, 1);
    for (const t of ['城市', '市轨', '轨道', '道交', '交通']) expect(counts.bigrams.has(bigramKey(t))).toBe(true);
    for (const t of ['轨道交通', 'iphone']) expect(counts.words.has(t)).toBe(true);
    expect(counts.words.has('and')).toBe(false);
    expect(counts.words.has('the')).toBe(false);
    expect(counts.words.has('城')).toBe(false);
    expect(counts.vocab.has('轨道交通')).toBe(true);
    expect(counts.vocab.has('iphone')).toBe(true);
  });

  test('counts are weighted', () => {
    const counts = fresh();
    countTerms('交通交通', null, counts, 5);
    expect(counts.bigrams.get(bigramKey('交通'))).toBe(10);
    expect(counts.bigrams.get(bigramKey('通交'))).toBe(5);
    expect(bigramText(bigramKey('交通'))).toBe('交通');
  });
});
