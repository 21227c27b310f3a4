/**
 * Free-text and pathological queries timed by the bench (zhsearch only): natural
 * questions typed without spaces and 3–4 keyword queries, written for the bench (not
 * drawn from any corpus), and queries built to cost as much as the query syntax allows.
 */

/** Questions typed as people type them, and a few 3–4 keyword queries. */
export const QUESTIONS: readonly string[] = [
  '美国大选是怎么计票的',
  '为什么香港人要移民',
  '疫苗有效吗',
  '中国经济为什么放缓',
  '新冠病毒是从哪里来的',
  '台湾总统是怎么选出来的',
  '微信为什么要审查聊天记录',
  '如何翻墙访问外国网站',
  '中美贸易战对中国有什么影响',
  '一带一路是什么',
  '为什么房价这么高',
  '香港国安法有哪些内容',
  '美国为什么制裁华为',
  '武汉封城是什么时候开始的',
  '中国的人口为什么下降',
  '网络监控是怎么实现的',
  '记者在中国会被抓吗',
  '通货膨胀怎么影响普通人',
  '如何保护个人隐私',
  '抖音在美国会被禁吗',
  '阿富汗塔利班怎么掌权的',
  '为什么年轻人选择躺平',
  '上海为什么封城',
  '比特币是否合法',
  '社会信用体系是怎么运作的',
  '中国 经济 增长 放缓',
  '新冠 疫苗 副作用',
  '香港 抗议 警察 暴力',
  '美国 中国 贸易 关税',
  '微信 网络监控',
];

const SINGLES = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年就那要下以生会自着去之过家学对可她里后小么心多天而能好';

/** Queries at the edge of the syntax: repeated, OR-ed and quoted single characters, a long unspaced run. */
export const PATHOLOGICAL: ReadonlyArray<{ label: string; q: string }> = [
  { label: '中 ×128', q: Array(128).fill('中').join(' ') },
  { label: '51 single characters OR-ed', q: [...SINGLES].slice(0, 51).join(' OR ') },
  { label: '30 single characters OR-ed', q: [...SINGLES].slice(20, 50).join(' OR ') },
  { label: '64 quoted "中"', q: Array(64).fill('"中"').join(' ') },
  { label: 'one rare character', q: '鑫' },
  { label: '120-character run without spaces', q: '政府经济社会发展人民国家世界历史文化'.repeat(7).slice(0, 120) },
  { label: '32 distinct two-character words', q: Array.from({ length: 32 }, (_, i) => SINGLES.slice(i, i + 2)).join(' ') },
];
