import { getSegmenter, normalize } from '../src';
import { proposeWords } from '../scripts/new-words';

// Original sentences: a transliterated name jieba splits (布 林肯), and function-word
// combinations (自己的) that must not be proposed.
const texts = [
  '国务卿布林肯今天抵达会场，他说自己的行程很紧。',
  '布林肯表示双方会继续对话，记者追问自己的问题。',
  '据报道，布林肯下周还将访问邻国。',
  '分析人士认为布林肯此行意在安抚盟友，各方都有自己的考虑。',
  '布林肯在记者会上没有回答这个问题，只谈了自己的看法。',
  '会后布林肯与当地官员共进晚餐。',
].map(normalize);

test('new-words proposes a name jieba splits, not function-word combinations', () => {
  const seg = getSegmenter();
  expect(seg.cut('布林肯表示')).not.toContain('布林肯');
  const words = proposeWords(texts, seg, new Set(), 5).map((c) => c.word);
  expect(words).toContain('布林肯');
  expect(words).not.toContain('自己的');
  // With a higher threshold than the name's document count, nothing is proposed.
  expect(proposeWords(texts, seg, new Set(), 7)).toEqual([]);
  // Words already in the dictionary are not new.
  expect(proposeWords(texts, seg, new Set(['布林肯']), 5).map((c) => c.word)).not.toContain('布林肯');
});
