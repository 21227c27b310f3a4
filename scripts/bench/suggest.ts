import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SearchEngine } from '../../src';
import { fail, intArg, parseOrExit } from '../lib/cli';
import { median, quantile, table } from '../lib/stats';

const USAGE = `usage: npm run bench:suggest -- --index DIR [--runs N] [--cold N] [--json]

Latency and output of "did you mean" (engine.didYouMean) over the queries below: typing
slips of words an archive of Chinese commentary uses (homophones, near-homophones,
look-alikes, Latin misspellings, pinyin) and names or words with no posts that must
not be rewritten. Written for this bench, not taken from any corpus.

  --index DIR  a built index (npm run build-index)
  --runs N     timed passes over all queries after the first, default 5
  --cold N     fresh processes for the first-call figure, default 3
  --json       results as JSON on stdout

First call: each fresh process opens the index, loads the segmenter (as the server does
once it listens), then times its first Chinese and its first Latin correction; the
median and the worst over the processes are shown. Warm: every query once more per
pass; p50/p95/max over all timed calls, wall clock and this process's CPU time (the
machine may be shared: CPU time is what the work costs, wall time what a user waits).`;

/** A query and what its typist meant: a query to suggest, or null when nothing should be suggested. */
interface Case {
  q: string;
  meant: string | null;
  kind: 'homophone' | 'near' | 'look-alike' | 'latin' | 'pinyin' | 'keep';
}

const CASES: Case[] = [
  ...(
    [
      ['王义', '王毅'],
      ['习进平', '习近平'],
      ['香岗', '香港'],
      ['台弯', '台湾'],
      ['疫晴', '疫情'],
      ['新官病毒', '新冠病毒'],
      ['民煮', '民主'],
      ['特朗谱', '特朗普'],
      ['拜灯', '拜登'],
      ['乌克蓝', '乌克兰'],
      ['俄罗丝', '俄罗斯'],
      ['警查', '警察'],
      ['抗义', '抗议'],
      ['自油', '自由'],
      ['独才', '独裁'],
      ['贸义', '贸易'],
      ['心片', '芯片'],
      ['华维', '华为'],
      ['新僵', '新疆'],
      ['维吾耳', '维吾尔'],
      ['集中赢', '集中营'],
      ['疫描', '疫苗'],
      ['武汗', '武汉'],
      ['联合果', '联合国'],
      ['外交布', '外交部'],
      ['国务员', '国务院'],
      ['总书纪', '总书记'],
      ['共产挡', '共产党'],
      ['政俯', '政府'],
      ['选居', '选举'],
      ['台基电', '台积电'],
      ['马丝克', '马斯克'],
      ['比特必', '比特币'],
      ['区快链', '区块链'],
      ['格离', '隔离'],
      ['清领', '清零'],
      ['方仓', '方舱'],
      ['王义 阿富汗', '王毅 阿富汗'],
    ] as const
  ).map(([q, meant]): Case => ({ q, meant, kind: 'homophone' })),
  ...(
    [
      ['事川', '四川'],
      ['桑海', '上海'],
      ['蓝民', '难民'],
      ['龙民', '农民'],
      ['星闻', '新闻'],
      ['冷源', '能源'],
      ['人名币', '人民币'],
      ['类蒙古', '内蒙古'],
      ['肿统', '总统'],
      ['村节', '春节'],
      ['叟都', '首都'],
      ['桑害', '伤害'],
      ['层诺', '承诺'],
    ] as const
  ).map(([q, meant]): Case => ({ q, meant, kind: 'near' })),
  ...(
    [
      ['末婚', '未婚'],
      ['折迁', '拆迁'],
      ['冶理', '治理'],
      ['侯选人', '候选人'],
      ['徽信', '微信'],
      ['撒军', '撤军'],
      ['嬴得', '赢得'],
      ['兔费', '免费'],
      ['淮备', '准备'],
      ['拔打', '拨打'],
    ] as const
  ).map(([q, meant]): Case => ({ q, meant, kind: 'look-alike' })),
  ...(
    [
      ['pandemik', 'pandemic'],
      ['facebok', 'facebook'],
      ['twiter', 'twitter'],
      ['huawie', 'huawei'],
      ['microsft', 'microsoft'],
      ['instagam', 'instagram'],
      ['goverment', 'government'],
      ['youtobe', 'youtube'],
    ] as const
  ).map(([q, meant]): Case => ({ q, meant, kind: 'latin' })),
  ...(
    [
      ['xijinping', '习近平'],
      ['xianggang', '香港'],
    ] as const
  ).map(([q, meant]): Case => ({ q, meant, kind: 'pinyin' })),
  ...['彭帅', '卢梓萱', '郝静怡', '龚子墨', '钟一鸣', '岑子淇', '裴秀智', '鲶鱼饭', '量子引力', '彭帅 网球'].map((q): Case => ({
    q,
    meant: null,
    kind: 'keep',
  })),
];

/** One timed call: wall and CPU milliseconds. */
interface Timed {
  wallMs: number;
  cpuMs: number;
}

function timed<T>(f: () => T): [T, Timed] {
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  const out = f();
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  const c = process.cpuUsage(cpu);
  return [out, { wallMs, cpuMs: (c.user + c.system) / 1000 }];
}

interface ColdResult {
  openMs: number;
  firstChinese: Timed & { q: string; suggestion: string | null };
  firstLatin: Timed & { q: string; suggestion: string | null };
}

/** In a fresh process: open, load the segmenter, time the first Chinese and the first Latin correction. */
async function cold(index: string): Promise<ColdResult> {
  const t = process.hrtime.bigint();
  const engine = await SearchEngine.open(index, { resultCache: 0 });
  const openMs = Number(process.hrtime.bigint() - t) / 1e6;
  engine.loadSegmenter();
  const zh = CASES.find((c) => c.kind === 'homophone')!.q;
  const latin = CASES.find((c) => c.kind === 'latin')!.q;
  const [s1, t1] = timed(() => engine.didYouMean(zh));
  const [s2, t2] = timed(() => engine.didYouMean(latin));
  return { openMs, firstChinese: { q: zh, suggestion: s1, ...t1 }, firstLatin: { q: latin, suggestion: s2, ...t2 } };
}

const round = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          index: { type: 'string' },
          runs: { type: 'string', default: '5' },
          cold: { type: 'string', default: '3' },
          'child-cold': { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.index) fail('--index DIR is required', 2);
  const index = values.index;
  if (values['child-cold']) {
    process.stdout.write(JSON.stringify(await cold(index)) + '\n');
    return;
  }
  const runs = intArg(values.runs, '--runs', 1);
  const colds = intArg(values.cold, '--cold', 0);

  const coldResults: ColdResult[] = [];
  for (let k = 0; k < colds; k++) {
    const r = spawnSync(process.execPath, [__filename, '--index', index, '--child-cold'], { encoding: 'utf8' });
    if (r.status !== 0) fail(`cold run ${k + 1} failed: ${r.stderr}`);
    coldResults.push(JSON.parse(r.stdout) as ColdResult);
  }

  const engine = await SearchEngine.open(index, { resultCache: 0 });
  engine.loadSegmenter();
  const rows = CASES.map((c) => {
    const posts = engine.matchIds(c.q).length;
    const [suggestion, first] = timed(() => engine.didYouMean(c.q));
    const meantPosts = c.meant ? engine.matchIds(c.meant).length : 0;
    const verdict =
      c.meant === null
        ? suggestion === null
          ? 'kept'
          : 'REWRITTEN'
        : suggestion === c.meant
          ? 'as meant'
          : suggestion === null
            ? posts > 1
              ? `none (${posts} posts)`
              : 'MISSED'
            : 'OTHER';
    return { ...c, posts, suggestion, meantPosts, verdict, first, times: [] as Timed[] };
  });
  for (let r = 0; r < runs; r++) for (const row of rows) row.times.push(timed(() => engine.didYouMean(row.q))[1]);

  const all = rows.flatMap((r) => r.times);
  const stat = (xs: number[]): { p50: number; p95: number; max: number } => ({
    p50: round(quantile(xs, 0.5)),
    p95: round(quantile(xs, 0.95)),
    max: round(Math.max(...xs)),
  });
  const warm = { wall: stat(all.map((t) => t.wallMs)), cpu: stat(all.map((t) => t.cpuMs)) };
  const made = rows.filter((r) => r.suggestion !== null).length;
  const asMeant = rows.filter((r) => r.verdict === 'as meant').length;
  const kept = rows.filter((r) => r.verdict === 'kept').length;
  const keepCases = rows.filter((r) => r.kind === 'keep').length;
  const summary = {
    queries: rows.length,
    suggestionsMade: made,
    asMeant,
    meantCases: rows.length - keepCases,
    keptAlone: kept,
    keepCases,
    warm,
    cold: coldResults.length
      ? {
          processes: coldResults.length,
          openMsMedian: round(median(coldResults.map((c) => c.openMs))),
          firstChineseWallMs: {
            median: round(median(coldResults.map((c) => c.firstChinese.wallMs))),
            max: round(Math.max(...coldResults.map((c) => c.firstChinese.wallMs))),
          },
          firstChineseCpuMs: {
            median: round(median(coldResults.map((c) => c.firstChinese.cpuMs))),
            max: round(Math.max(...coldResults.map((c) => c.firstChinese.cpuMs))),
          },
          firstLatinWallMs: {
            median: round(median(coldResults.map((c) => c.firstLatin.wallMs))),
            max: round(Math.max(...coldResults.map((c) => c.firstLatin.wallMs))),
          },
          firstLatinCpuMs: {
            median: round(median(coldResults.map((c) => c.firstLatin.cpuMs))),
            max: round(Math.max(...coldResults.map((c) => c.firstLatin.cpuMs))),
          },
        }
      : null,
  };
  if (values.json) {
    process.stdout.write(
      JSON.stringify({ summary, rows: rows.map(({ times, ...r }) => ({ ...r, wallMs: times.map((t) => round(t.wallMs)) })) }, null, 2) +
        '\n',
    );
    return;
  }
  const out = process.stdout;
  out.write(
    table(
      ['query', 'kind', 'posts', 'suggestion', 'meant', 'posts (meant)', 'verdict', 'first ms', 'median ms'],
      rows.map((r) => [
        r.q,
        r.kind,
        r.posts,
        r.suggestion ?? '—',
        r.meant ?? '(keep)',
        r.meant ? r.meantPosts : '',
        r.verdict,
        round(r.first.wallMs),
        round(median(r.times.map((t) => t.wallMs))),
      ]),
    ) + '\n\n',
  );
  out.write(
    `${rows.length} queries: ${made} suggestions made, ${asMeant} of ${summary.meantCases} as meant; ${kept} of ${keepCases} names/words with no posts left alone\n`,
  );
  out.write(
    `warm (${runs} passes, ${all.length} calls): wall p50 ${warm.wall.p50} ms, p95 ${warm.wall.p95} ms, max ${warm.wall.max} ms; CPU p50 ${warm.cpu.p50} ms, p95 ${warm.cpu.p95} ms, max ${warm.cpu.max} ms\n`,
  );
  if (summary.cold) {
    const c = summary.cold;
    out.write(
      `first call in a fresh process (${c.processes} processes, open median ${c.openMsMedian} ms): ` +
        `Chinese ${coldResults[0].firstChinese.q} wall median ${c.firstChineseWallMs.median} / max ${c.firstChineseWallMs.max} ms, CPU ${c.firstChineseCpuMs.median} / ${c.firstChineseCpuMs.max} ms; ` +
        `Latin ${coldResults[0].firstLatin.q} wall ${c.firstLatinWallMs.median} / ${c.firstLatinWallMs.max} ms, CPU ${c.firstLatinCpuMs.median} / ${c.firstLatinCpuMs.max} ms\n`,
    );
  }
  out.write(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (${cpus().length} CPUs)\n`,
  );
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
