/**
 * Characters easily mistaken for one another by their look (形近字): the pairs that
 * Chinese schoolbooks drill and that shape-based input methods (wubi, handwriting)
 * confuse. Small on purpose: a "did you mean" may swap one character for another of its
 * group, and only a group listed here is evidence that a typist meant the other one.
 */
const GROUPS = [
  '己已巳',
  '未末',
  '土士',
  '人入八',
  '日曰',
  '戊戌戍戎',
  '拨拔',
  '候侯',
  '辨辩辫瓣',
  '折拆析',
  '赢嬴羸',
  '徽微',
  '免兔',
  '鸟乌',
  '天夭',
  '大太犬',
  '王玉主',
  '干千于',
  '午牛',
  '刀力',
  '木本术',
  '白自',
  '由甲申',
  '贝见',
  '今令',
  '问间',
  '母毋',
  '崇祟',
  '茶荼',
  '汩汨',
  '冶治',
  '幕暮墓慕募',
  '籍藉',
  '赌睹',
  '撤撒',
  '峰锋蜂烽',
  '侍待持特',
  '逐遂',
  '暇瑕',
  '狼狠很',
  '准淮',
  '洒酒',
  '住往',
  '休体',
  '代伐',
  '历厉',
  '仑仓',
  '孤狐弧',
  '竞竟',
  '肓盲',
  '灸炙',
  '粟栗',
  '且旦',
  '兵乒乓',
  '壁璧',
  '贷货',
  '坚竖',
  '浙淅',
  '渴竭揭',
  '清请情晴睛',
  '钓钩',
  '密蜜',
  '陕峡狭',
  '猴喉',
  '棵颗课',
  '惯贯',
  '膝漆',
  '蓝篮',
  '扬杨场肠',
  '话活',
  '线浅',
  '则测侧厕',
  '检捡险验',
  '抢枪',
  '候猴',
  '既即',
  '刺剌',
  '析柝',
  '拨泼',
  '拦栏烂',
  '脏赃',
  '怠殆',
  '瞭潦',
  '鉴签',
  '辟僻避譬',
  '亳毫',
  '盅蛊',
  '宫官',
  '胃胄',
  '壶壸',
  '丐丏',
  // One phonetic part under different radicals.
  '塔搭嗒',
  '疆彊僵缰',
  '培陪赔倍',
  '抱饱泡跑炮袍',
  '借惜措错',
  '烧浇晓',
  '详祥洋样',
  '帐账胀',
  '概慨',
  '距拒矩柜',
  '编遍篇偏骗',
  '沟钩构购',
  '块快筷',
  '抄炒吵秒',
  '纹蚊坟',
];

let table: Map<number, string> | null = null;

/** Characters that look like `code` (a UTF-16 code unit), from the table above; '' for none. */
export function lookAlikes(code: number): string {
  if (!table) {
    const t = new Map<number, string>();
    for (const g of GROUPS) {
      for (let i = 0; i < g.length; i++) {
        const c = g.charCodeAt(i);
        t.set(c, (t.get(c) ?? '') + g.slice(0, i) + g.slice(i + 1));
      }
    }
    table = t;
  }
  return table.get(code) ?? '';
}
