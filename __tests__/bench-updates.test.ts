import { rng } from '../scripts/lib/random';
import { planUpdate, renderUpdates, type UpdateFigures } from '../scripts/bench/updates';

describe('bench index updates', () => {
  const ids = Array.from({ length: 40 }, (_, i) => (i % 2 ? `2020/post-${i}.md` : `post-${i}.md`));

  test('a round copies distinct posts under new ids and deletes other existing posts', () => {
    const plan = planUpdate(ids, 2, 10, 5, rng(1));
    const sources = plan.copies.map((c) => c.from);
    const targets = plan.copies.map((c) => c.to);
    expect(plan.copies).toHaveLength(10);
    expect(plan.deletes).toHaveLength(5);
    expect(new Set(sources).size).toBe(10);
    expect(new Set(targets).size).toBe(10);
    expect(new Set(plan.deletes).size).toBe(5);
    for (const s of [...sources, ...plan.deletes]) expect(ids).toContain(s);
    for (const d of plan.deletes) expect(sources).not.toContain(d);
    for (const t of targets) {
      expect(ids).not.toContain(t);
      expect(t.startsWith('bench-updates/round-2/')).toBe(true);
    }
  });

  test('too few posts for a round is refused naming the counts', () => {
    expect(() => planUpdate(ids.slice(0, 14), 1, 10, 5, rng(1))).toThrow('14 posts, need at least 15');
  });

  test('the report puts each figure beside its target', () => {
    const figures: UpdateFigures = {
      posts: 100,
      full: { wallMs: 30_000, buildMs: 29_000 },
      incremental: { added: 10, removed: 5, wallMs: [1200, 1700, 1400], buildMs: [900, 1400, 1100], medianWallMs: 1400, ratio: 0.047, shardsBuilt: [1, 1, 1], shards: 66, segments: [1, 2, 3] },
      merge: { wallMs: 8_000, shardsBuilt: 12, shards: 63 },
      watch: { addMs: [3500, 3400, 3600], deleteMs: [2000, 2100, 1900], medianAddMs: 3500, medianDeleteMs: 2000 },
    };
    const text = renderUpdates({ ok: true, figures }).join('\n');
    expect(text).toContain('incremental +10/−5: 1.40 s');
    expect(text).toContain('update segments after each 1, 2, 3) — full build 30.00 s, ratio 0.047; target ≤ 1.5 s: met');
    expect(text).toContain('merging build after them (segments folded into the merged shards, as a full build): 8.00 s, 12 of 63 shards rebuilt');
    expect(text).toContain('watch, write → searchable over HTTP: median 3.50 s (3.50, 3.40, 3.60); target ≤ 3 s: MISSED');
    expect(renderUpdates({ ok: false, error: 'disk full' })).toEqual(['index updates: ERROR disk full']);
  });
});
