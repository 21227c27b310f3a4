/**
 * Query syntax (documented in the README):
 *
 *   中国 经济        both words (AND)
 *   香港 OR 澳门     either word
 *   "一国两制"       exact phrase (also “…” and 「…」)
 *   -广告            exclude documents containing the word
 *   title:疫苗       the word must be in the title (title:"…" for a phrase)
 *
 * Parsing never throws for content: any string becomes a (possibly empty) query.
 * Operators that make no sense (`OR OR`, a lone `-`, an unclosed quote) are read
 * leniently, the way search boxes do.
 */

/** One query word or phrase as typed (not yet normalized). */
export interface Clause {
  text: string;
  field: 'all' | 'title';
  phrase: boolean;
  negated: boolean;
}

/** A parsed query: documents must match one clause of every group and no excluded clause. */
export interface ParsedQuery {
  groups: Clause[][];
  excluded: Clause[];
}

/** Longest query accepted, in characters. */
export const MAX_QUERY_LENGTH = 256;

/** A query that cannot be run; `parameter` names the offending input. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly parameter: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

const OPEN_QUOTES: Record<string, string> = { '"': '"', '＂': '＂', '“': '”', '「': '」', '『': '』' };
const SPACE = /[\s\u00a0\u3000\u200b-\u200f\u2028-\u202f\u2060\ufeff]/;

/** Parse a query string. Throws {@link QueryError} only for an over-long query. */
export function parseQuery(input: string): ParsedQuery {
  if (input.length > MAX_QUERY_LENGTH) {
    throw new QueryError(`q is too long: ${input.length} characters, at most ${MAX_QUERY_LENGTH}`, 'q');
  }
  const tokens = tokenize(input);
  const groups: Clause[][] = [];
  const excluded: Clause[] = [];
  let joinNext = false;
  for (const tok of tokens) {
    if (tok === 'OR') {
      joinNext = groups.length > 0;
      continue;
    }
    if (tok.negated) {
      excluded.push(tok);
      joinNext = false;
      continue;
    }
    if (joinNext) groups[groups.length - 1].push(tok);
    else groups.push([tok]);
    joinNext = false;
  }
  return { groups, excluded };
}

function tokenize(input: string): Array<Clause | 'OR'> {
  const out: Array<Clause | 'OR'> = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && SPACE.test(input[i])) i++;
    if (i >= n) break;
    let negated = false;
    if ((input[i] === '-' || input[i] === '－') && i + 1 < n && !SPACE.test(input[i + 1])) {
      negated = true;
      i++;
    }
    let field: Clause['field'] = 'all';
    const m = /^title[:：]/i.exec(input.slice(i, i + 6));
    if (m && i + 6 < n && !SPACE.test(input[i + 6])) {
      field = 'title';
      i += 6;
    }
    const close = OPEN_QUOTES[input[i]];
    if (close !== undefined) {
      const end = input.indexOf(close, i + 1);
      const text = input.slice(i + 1, end < 0 ? n : end);
      i = end < 0 ? n : end + 1;
      if (text.trim() !== '') out.push({ text, field, phrase: true, negated });
      continue;
    }
    let j = i;
    while (j < n && !SPACE.test(input[j])) j++;
    const word = input.slice(i, j);
    i = j;
    if (word === 'OR' && !negated && field === 'all') out.push('OR');
    else if (word !== '') out.push({ text: word, field, phrase: false, negated });
  }
  return out;
}
