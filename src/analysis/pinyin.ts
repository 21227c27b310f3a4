import type * as PinyinPro from 'pinyin-pro';
import { readingsOfCode } from './char-readings';

/**
 * Pinyin for Chinese characters and typed pinyin, toneless and with `v` for ü (`lv`,
 * `nv`), the way pinyin input methods take it. Character readings come from a table
 * generated from pinyin-pro (all readings of a polyphonic character: 行 → xing, hang,
 * heng; see char-readings); pinyin-pro itself is loaded only for reading whole words.
 */

/** Every toneless Mandarin syllable. */
export const SYLLABLES: ReadonlySet<string> = new Set(
  'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo'.split(
    ' ',
  ),
);

/** Initials typed alone stand for any syllable starting with them (`wy` → wang yi). */
const INITIALS: ReadonlySet<string> = new Set([...'bpmfdtnlgkhjqxzcsryw', 'zh', 'ch', 'sh', 'a', 'e', 'o']);

/** Proper prefixes of syllables (`zho` of zhong), for the last syllable being typed. */
const PREFIXES: ReadonlySet<string> = new Set(
  [...SYLLABLES].flatMap((s) => Array.from({ length: s.length - 1 }, (_, k) => s.slice(0, k + 1))),
);

let lib: typeof PinyinPro | null = null;
function pinyinPro(): typeof PinyinPro {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lib ??= require('pinyin-pro') as typeof PinyinPro;
  return lib;
}

/** All toneless readings of each character of `chars` (one BMP character each), the usual one first. */
export function charReadings(chars: string): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < chars.length; i++) out.push([...readingsOfCode(chars.charCodeAt(i))]);
  return out;
}

/** The reading of a word in context (银行 → yin hang, not yin xing): pinyin-pro's word-level choice. */
export function wordPinyin(word: string): string[] {
  return pinyinPro().pinyin(word, { toneType: 'none', type: 'array', v: true });
}

/** One typed syllable: a whole syllable, or the start of one (an initial, or the syllable being typed). */
export interface TypedSyllable {
  text: string;
  whole: boolean;
}

/** True when a character with these readings can be what the typed syllable stands for. */
export function syllableMatches(typed: TypedSyllable, readings: readonly string[]): boolean {
  for (const r of readings) if (typed.whole ? r === typed.text : r.startsWith(typed.text)) return true;
  return false;
}

/** Longest typed pinyin considered, in letters. */
export const MAX_PINYIN_LETTERS = 48;

/**
 * Ways to read typed Latin letters as pinyin syllables: `wangyi`, `wang yi`, `wang'yi`
 * and `wy` all give [wang, yi]-like readings. Whole syllables are preferred (tried
 * first, longest first); initials stand for a syllable (unless `initials` is false); with `partialLast` the last
 * piece may be a syllable still being typed. Whole syllables come before initials
 * (`wangy`, `wy`; not `w ang`). At most `max` readings; [] when the
 * text is not pinyin.
 */
export function parsePinyin(input: string, options: { partialLast?: boolean; initials?: boolean; max?: number } = {}): TypedSyllable[][] {
  const initials = options.initials ?? true;
  const text = input.trim().toLowerCase();
  if (!/^[a-z]+(?:[ '][a-z]+)*$/.test(text) || text.replace(/[ ']/g, '').length > MAX_PINYIN_LETTERS) return [];
  const tokens = text.split(/[ ']/);
  const max = options.max ?? 8;
  const out: TypedSyllable[][] = [];
  const path: TypedSyllable[] = [];
  let steps = 0;
  const walk = (t: number, i: number): void => {
    if (out.length >= max || ++steps > 5000) return;
    if (t === tokens.length) {
      out.push(path.slice());
      return;
    }
    const tok = tokens[t];
    if (i === tok.length) return walk(t + 1, 0);
    const last = t === tokens.length - 1;
    for (let len = Math.min(6, tok.length - i); len >= 1; len--) {
      const piece = tok.slice(i, i + len);
      const end = i + len === tok.length;
      // Whole syllables first, then initials: `wangy` and `wy`, never `w ang`.
      const initialsBegun = path.length > 0 && !path[path.length - 1].whole;
      if (SYLLABLES.has(piece) && !initialsBegun) {
        path.push({ text: piece, whole: true });
        walk(t, i + len);
        path.pop();
      } else if ((initials && INITIALS.has(piece)) || (options.partialLast && last && end && PREFIXES.has(piece))) {
        path.push({ text: piece, whole: false });
        walk(t, i + len);
        path.pop();
      }
    }
  };
  walk(0, 0);
  return out;
}

/** True when the text is nothing but Latin letters (and spaces or apostrophes between them). */
export function isLatinLetters(text: string): boolean {
  return /^[a-z]+(?:[ '][a-z]+)*$/i.test(text.trim());
}
