import { knownItemRank, type KnownItem } from './queryset';

/** Counts of one group of queries: matched correctly, matched at all, and expected. */
export interface MatchCounts {
  n: number;
  tp: number;
  found: number;
  relevant: number;
}

/** Recall and precision of `c`; 1 when there was nothing to find (or nothing found). */
export function rates(c: MatchCounts): { queries: number; recall: number; precision: number } {
  return { queries: c.n, recall: c.relevant > 0 ? c.tp / c.relevant : 1, precision: c.found > 0 ? c.tp / c.found : 1 };
}

/** Set-based scoring of queries against their ground truth, overall and per query kind. */
export class MatchTally {
  readonly all: MatchCounts = { n: 0, tp: 0, found: 0, relevant: 0 };
  readonly byKind = new Map<string, MatchCounts>();
  /** Sum over queries of each query's own recall (for the macro average). */
  private macro = 0;
  /** Queries with a miss or a false match. */
  imperfect = 0;

  /** Score one query; returns the number of correct matches. */
  add(kind: string, expected: ReadonlySet<string>, got: ReadonlySet<string>): number {
    let hit = 0;
    for (const id of got) if (expected.has(id)) hit++;
    const k = this.byKind.get(kind) ?? { n: 0, tp: 0, found: 0, relevant: 0 };
    for (const c of [this.all, k]) {
      c.n++;
      c.tp += hit;
      c.found += got.size;
      c.relevant += expected.size;
    }
    this.byKind.set(kind, k);
    this.macro += expected.size > 0 ? hit / expected.size : 1;
    if (hit < expected.size || hit < got.size) this.imperfect++;
    return hit;
  }

  /** Mean of the queries' own recall. */
  macroRecall(): number {
    return this.all.n > 0 ? this.macro / this.all.n : 1;
  }
}

/** Mean reciprocal rank of each known item within its top 10 (0 when missing there). */
export function mrrAt10(items: readonly KnownItem[], top: (item: KnownItem, i: number) => readonly string[]): number {
  let rr = 0;
  items.forEach((item, i) => {
    const rank = knownItemRank(top(item, i).slice(0, 10), item);
    if (rank >= 0) rr += 1 / (rank + 1);
  });
  return items.length > 0 ? rr / items.length : 0;
}
