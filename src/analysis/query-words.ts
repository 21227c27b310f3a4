/**
 * Words that shape a Chinese question without naming its topic. In a query typed as a
 * sentence they are optional (they add a little to the score, never exclude a post);
 * one-character function words are dropped outright by the stop-word list
 * (analysis/stopwords), so only multi-character words need to be listed here.
 */

/** Interrogatives: ask how, why, where, which, whether — the topic is elsewhere. */
const INTERROGATIVES = [
  '怎么',
  '怎样',
  '怎么样',
  '怎么办',
  '如何',
  '为什么',
  '为何',
  '什么',
  '什么样',
  '哪里',
  '哪儿',
  '哪些',
  '哪个',
  '多少',
  '是否',
  '是不是',
  '有没有',
  '能否',
  '可否',
  '能不能',
  '会不会',
  '要不要',
  '谁是',
];

/** Modal and auxiliary verbs: mood of the question, not its subject. */
const MODALS = ['可以', '应该', '能够', '需要', '会是', '是从', '到底', '究竟', '不会', '不能', '可能', '已经', '一直'];

/** Connectives and framing words: join or introduce the content words. */
const CONNECTIVES = ['关于', '有关', '一些', '一下', '以及', '还是', '或者', '因为', '所以', '怎么会'];

/**
 * Pronouns, demonstratives and sentence adverbs: a question typed as a sentence needs
 * them (我怎么知道自己的…, 现在的年轻人…), but they occur in most posts and say nothing of
 * the topic, so a post should not rank up for holding them.
 */
const FRAMING = [
  '知道',
  '自己',
  '我们',
  '你们',
  '他们',
  '大家',
  '现在',
  '目前',
  '时候',
  '里面',
  '外面',
  '真的',
  '其实',
  '这么',
  '那么',
  '多么',
  '越来越',
  '很多',
  '起来',
  '这个',
  '那个',
  '这些',
  '那些',
  '一个',
  '一种',
];

/** Multi-character words that are optional in a query typed as a sentence. */
export const QUERY_WORDS: ReadonlySet<string> = new Set([...INTERROGATIVES, ...MODALS, ...CONNECTIVES, ...FRAMING]);

/** True when `word` (normalized) is a question or function word. */
export function isQueryWord(word: string): boolean {
  return QUERY_WORDS.has(word);
}

/** What a question asks for, told by its wording, and the words a post answering it tends to use. */
export interface QuestionIntent {
  /**
   * Any of these in the typed query (normalized) shows the intent, except where it stands
   * inside a longer cue of another intent (怎么 in 怎么办 asks for a remedy, not a method)...
   */
  cues: readonly string[];
  /** ... or inside one of these phrases. */
  unless?: readonly string[];
  /** Words that rank a post up a little when it holds them (never required, never listed as terms). */
  words: readonly string[];
}

/**
 * A question names its topic and, in its wording, the kind of answer it wants: a cause
 * (为什么 → 原因), an origin (从哪里来 → 起源, 来源), a risk (安全吗 → 风险), an effect, a
 * remedy, or a method (怎么 + what to do → 方法; 是怎么…的 asks how something came about
 * instead). Posts that give such an answer usually name it, so these words add to the
 * score of posts already matched on the topic.
 */
export const QUESTION_INTENTS: readonly QuestionIntent[] = [
  { cues: ['为什么', '为何', '为啥'], words: ['原因'] },
  { cues: ['哪里来', '哪儿来', '从哪来', '怎么来的', '如何产生'], words: ['起源', '来源', '源头'] },
  { cues: ['安全吗', '安不安全', '危险吗', '有没有风险', '有什么风险'], words: ['风险', '安全'] },
  { cues: ['什么影响', '有何影响', '影响是什么'], words: ['影响'] },
  { cues: ['怎么办', '如何应对', '怎么应对'], words: ['应对', '办法'] },
  {
    cues: ['怎么', '怎样', '如何'],
    unless: ['是怎么', '是怎样', '是如何', '怎么会'],
    words: ['方法', '如何'],
  },
];

/**
 * Per intent, each cue with the phrases that veto it where they hold it: the longer cues
 * of the other intents and the intent's own `unless` phrases. Fixed by the table.
 */
const VETOED = QUESTION_INTENTS.map((intent) =>
  intent.cues.map((cue) => ({
    cue,
    longer: [...QUESTION_INTENTS.filter((o) => o !== intent).flatMap((o) => o.cues), ...(intent.unless ?? [])].filter(
      (p) => p !== cue && p.includes(cue),
    ),
  })),
);

/**
 * The answer words of every intent with a cue in `query` (normalized) that stands on its
 * own somewhere: not inside a longer cue of another intent, nor inside one of its intent's
 * `unless` phrases (in 旧书是怎么坏的，怎么修补, the second 怎么 asks for a method). In table order.
 */
export function intentWords(query: string): string[] {
  const out: string[] = [];
  QUESTION_INTENTS.forEach((intent, k) => {
    const cued = VETOED[k].some(({ cue, longer }) => {
      for (let at = query.indexOf(cue); at >= 0; at = query.indexOf(cue, at + 1)) {
        if (!longer.some((p) => inside(query, at, cue, p))) return true;
      }
      return false;
    });
    if (cued) for (const w of intent.words) if (!out.includes(w)) out.push(w);
  });
  return out;
}

/** True when the occurrence of `c` at `at` in `query` lies within an occurrence of `phrase` (which holds `c`). */
function inside(query: string, at: number, c: string, phrase: string): boolean {
  for (let off = phrase.indexOf(c); off >= 0; off = phrase.indexOf(c, off + 1)) {
    if (at - off >= 0 && query.startsWith(phrase, at - off)) return true;
  }
  return false;
}
