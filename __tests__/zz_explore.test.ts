import fc from 'fast-check';
import { normalize } from '../src';
import { makeSnippet } from '../src/query/snippet';
test('prop', () => {
  const sentences = ['今天的天气不错。', '我们去公园散步，看见很多人', '路边开满了花！', '孩子们在放风筝；', '晚饭吃了面条', 'The quick fox. ', '\n'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...sentences), { maxLength: 60 }), fc.nat(), (parts, k) => {
      parts.splice(k % (parts.length + 1), 0, '灯塔');
      const text = parts.join('');
      const s = makeSnippet(text, normalize(text), ['灯塔']);
      const plain = s.replace(/<\/?mark>/g, '');
      if (!s.includes('<mark>灯塔</mark>')) throw new Error('no mark: ' + JSON.stringify(text) + ' -> ' + s);
      if (plain.replace(/…/g, '').length > 125) throw new Error('too long ' + plain.length);
      if (text.length <= 120 && s.includes('…')) throw new Error('ellipsis on short: ' + JSON.stringify(text) + ' -> ' + s);
    }),
    { numRuns: 2000 },
  );
});
