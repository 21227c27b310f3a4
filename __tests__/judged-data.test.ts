import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blindOrder, keywordsInContext } from '../scripts/judged/blind';
import { formatQrels, loadQrels, loadQueries, parseGrades, saveQrels, type Qrels } from '../scripts/judged/data';

describe('judged evaluation files', () => {
  test('grade lines: tabs, grades 0-2, comments; malformed lines are named by file and line', () => {
    const text = '# header\nq1\ta.md\t2\n\nq1\tb 有空格.md\t0\nq2\tc.md\t3\nq2\tc.md\nq3\td.md\t\n';
    const { lines, problems } = parseGrades(text, 'g.tsv');
    expect(lines).toEqual([
      { queryId: 'q1', docId: 'a.md', grade: 2 },
      { queryId: 'q1', docId: 'b 有空格.md', grade: 0 },
    ]);
    expect(problems).toEqual([
      'g.tsv:5: grade "3" is not 0, 1 or 2',
      'g.tsv:6: expected queryId<TAB>docId<TAB>grade, got 2 column(s)',
      'g.tsv:7: grade "" is not 0, 1 or 2',
    ]);
  });

  test('qrels are written sorted, one line per pair, and read back', () => {
    const qrels: Qrels = new Map([
      ['q2', new Map([['b.md', 1]])],
      [
        'q1',
        new Map([
          ['z.md', 0],
          ['a.md', 2],
        ]),
      ],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'judged-'));
    const file = join(dir, 'qrels.tsv');
    saveQrels(file, qrels);
    expect(readFileSync(file, 'utf8').split('\n').slice(1)).toEqual(['q1\ta.md\t2', 'q1\tz.md\t0', 'q2\tb.md\t1', '']);
    expect(formatQrels(loadQrels(file))).toBe(formatQrels(qrels));
    expect(loadQrels(join(dir, 'missing.tsv')).size).toBe(0);
  });

  test('the query file is checked field by field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'judged-'));
    const file = join(dir, 'q.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'a1', kind: 'keywords', query: '猫', need: 'cats' },
        { id: 'a2', kind: 'other', query: '狗', need: 'dogs' },
      ]),
    );
    expect(() => loadQueries(file)).toThrow(/entry 1 \(a2\): kind must be one of/);
    writeFileSync(file, JSON.stringify([{ id: 'a1', kind: 'keywords', query: '猫' }]));
    expect(() => loadQueries(file)).toThrow(/entry 0: field "need"/);
  });

  test('the repository query set: 16 queries of each kind, unique ids, a need for each', () => {
    const qs = loadQueries(join(__dirname, '..', 'scripts', 'judged', 'queries.json'));
    for (const kind of ['keywords', 'multi', 'question', 'variant'])
      expect(qs.filter((q) => q.kind === kind).length).toBeGreaterThanOrEqual(16);
    // Questions are typed without spaces.
    for (const q of qs.filter((x) => x.kind === 'question')) expect(q.query).not.toMatch(/\s/);
  });

  test('blind order depends on the query and the set of posts, not on the order engines gave them', () => {
    const a = blindOrder('q1', ['x.md', 'y.md', 'z.md', 'y.md']);
    expect(a).toHaveLength(3);
    expect(blindOrder('q1', ['z.md', 'y.md', 'x.md'])).toEqual(a);
  });

  test('keyword-in-context windows mark query words, also for a traditional-script query', () => {
    const text = `${'开头的文字。'.repeat(50)}后来城里的监控越来越多。${'中间的话。'.repeat(30)}街口新装的摄像头，居民并不知情。`;
    const w = keywordsInContext(text, '監控 攝像頭', 2, 10);
    expect(w.length).toBe(2);
    expect(w.some((x) => x.includes('【摄像头】'))).toBe(true);
    expect(w.some((x) => x.includes('【监控】'))).toBe(true);
    // Windows never overlap: two adjacent words give one window.
    expect(keywordsInContext('城里装了监控摄像头。', '監控 攝像頭', 2, 10)).toHaveLength(1);
    expect(keywordsInContext(text, '火星', 2, 10)).toEqual([]);
  });
});
