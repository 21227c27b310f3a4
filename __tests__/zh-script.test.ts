import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { getSegmenter, normalize, SearchEngine } from '../src';
import { generateScriptFold } from '../scripts/gen-script-fold';

// Original fixtures: the same kind of news written once in each script.
const docs = [
  {
    id: 'trad',
    title: '雲溪市立醫院擴建完成',
    text: '雲溪市立醫院的新大樓今天啟用。據瞭解，院方反覆檢討後，決定增設兒童門診。',
  },
  {
    id: 'simp',
    title: '山前镇卫生院迎来新医生',
    text: '山前镇卫生院今天来了三位年轻医生。据了解，他们将在医院轮岗半年，反复练习急救流程。',
  },
  { id: 'none', title: '秋季运动会', text: '学校运动会上，三年级同学获得接力赛冠军。' },
];

describe('traditional ↔ simplified folding (normalize)', () => {
  test('traditional characters fold to simplified; simplified text is unchanged', () => {
    expect(normalize('醫院頭髮發現')).toBe('医院头发发现');
    expect(normalize('医院头发发现')).toBe('医院头发发现');
    expect(normalize('臺灣')).toBe(normalize('台湾'));
  });

  test('the simplified 么 stays 么, and 麼 folds to it, so jieba still cuts 为什么 and 这么', () => {
    expect(normalize('什么样？怎麼辦，這麼說')).toBe('什么样?怎么办,这么说');
    expect(getSegmenter().cut(normalize('為什麼這麼說'))).toEqual(['为什么', '这么', '说']);
  });

  test('phrase-level conversions where the character map would be wrong', () => {
    // 瞭 and 藉 stay as they are on their own; in these words they are 了 and 借.
    expect(normalize('瞭解')).toBe('了解');
    expect(normalize('藉口')).toBe('借口');
    expect(normalize('反覆')).toBe('反复');
    expect(normalize('據瞭解，他反覆找藉口')).toBe('据了解,他反复找借口');
  });

  test('folding keeps the length and is idempotent', () => {
    const alphabet = [...'醫院医院瞭解了解藉口借口反覆反复乾隆干燥頭髮头发臺灣台湾著名裡面里面後来后来ＡＢＣabc，。 '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }), (chars) => {
        const s = chars.join('');
        const n = normalize(s);
        expect(n.length).toBe(s.length);
        expect(normalize(n)).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });

  test('the committed folding table matches the pinned opencc-js (npm run gen-script-fold)', () => {
    const committed = readFileSync(join(__dirname, '..', 'src', 'analysis', 'script-fold.data.ts'), 'utf8');
    expect(committed).toBe(generateScriptFold());
  });
});

describe('searching across scripts', () => {
  const engine = SearchEngine.fromDocuments(docs);

  test('a simplified query finds traditional documents and vice versa', () => {
    const ids = (q: string): string[] => engine.matchIds(q).sort();
    expect(ids('医院')).toEqual(['simp', 'trad']);
    expect(ids('醫院')).toEqual(['simp', 'trad']);
    expect(ids('了解')).toEqual(['simp', 'trad']);
    expect(ids('瞭解')).toEqual(['simp', 'trad']);
    expect(ids('反复')).toEqual(['simp', 'trad']);
    expect(ids('"據了解"')).toEqual(['simp', 'trad']);
  });

  test('snippets and titles show the original characters with the matching ones marked', () => {
    const r = engine.search('医院');
    const trad = r.hits.find((h) => h.id === 'trad')!;
    expect(trad.titleHighlighted).toBe('雲溪市立<mark>醫院</mark>擴建完成');
    expect(trad.snippet).toContain('市立<mark>醫院</mark>的新大樓');
    const simp = engine.search('醫院').hits.find((h) => h.id === 'simp')!;
    expect(simp.snippet).toContain('<mark>医院</mark>');
    expect(engine.search('瞭解').hits.find((h) => h.id === 'trad')!.snippet).toContain('據<mark>瞭解</mark>');
  });
});
