import { isLatinLetters } from '../analysis/pinyin';
import type { Suggester } from './suggest';

/**
 * A query of Latin letters that matched nothing as Latin words, read as pinyin: the
 * most frequent vocabulary word the whole query spells (`wangyi`, `wang yi` → 王毅), or
 * else one word per space-separated part (`wangyi afuhan` → 王毅 阿富汗; of each part's
 * three most frequent readings, the first combination that `hasHits`). Only whole
 * syllables count here (initials are for search-as-you-type). Null when it is not pinyin.
 */
export function pinyinQuery(query: string, suggester: Suggester, hasHits: (q: string) => boolean = () => true): string | null {
  if (!isLatinLetters(query)) return null;
  const whole = suggester.byPinyin(query, 1, false)[0];
  if (whole) return whole.word;
  const parts = query.trim().split(/\s+/);
  if (parts.length < 2 || parts.length > 4) return null;
  const options = parts.map((p) => suggester.byPinyin(p, 3, false).map((m) => m.word));
  if (options.some((o) => o.length === 0)) return null;
  // The first combination (most frequent words) that some document holds; else the first.
  const combos = options.reduce<string[][]>((acc, o) => acc.flatMap((c) => o.map((w) => [...c, w])), [[]]);
  return (combos.find((c) => hasHits(c.join(' '))) ?? combos[0]).join(' ');
}
