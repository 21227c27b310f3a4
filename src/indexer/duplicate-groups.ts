import { hamming } from '../analysis/simhash';
import type { ShardSig } from './job';

/**
 * Duplicate grouping at build time: posts with the same source URL (normalized), or
 * whose body SimHashes differ in at most {@link MAX_HAMMING} bits, belong to one story.
 * Candidate pairs come from banded lookup: 64 bits in 4 bands of 16, so two signatures
 * within 3 bits share at least one band exactly (pigeonhole) and only posts sharing a
 * band are compared. Groups are closed transitively (union-find).
 */

/** Largest SimHash distance between two posts of one story. */
export const MAX_HAMMING = 3;

/** Groups of 2+ document numbers, each ascending, ordered by their first member. */
export function groupDuplicates(sigs: readonly ShardSig[]): number[][] {
  const parent = Int32Array.from(sigs, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byUrl = new Map<string, number>();
  const bands = new Map<string, number[]>();
  sigs.forEach(([url, sig], d) => {
    const key = url ? normalizeUrl(url) : null;
    if (key) {
      const first = byUrl.get(key);
      if (first === undefined) byUrl.set(key, d);
      else union(first, d);
    }
    if (!sig) return;
    for (let b = 0; b < 4; b++) {
      const k = `${b}:${sig.slice(b * 4, b * 4 + 4)}`;
      const list = bands.get(k);
      if (list) list.push(d);
      else bands.set(k, [d]);
    }
  });
  for (const list of bands.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i];
        const b = list[j];
        if (find(a) !== find(b) && hamming(sigs[a][1]!, sigs[b][1]!) <= MAX_HAMMING) union(a, b);
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let d = 0; d < sigs.length; d++) {
    const r = find(d);
    const g = groups.get(r);
    if (g) g.push(d);
    else groups.set(r, [d]);
  }
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0] - b[0]);
}

/**
 * A source URL as a grouping key: no scheme, `www.`, fragment or trailing slash; host
 * in lower case. Null for something that is not an http(s) URL with a path, since a
 * bare site address says nothing about the story.
 */
export function normalizeUrl(url: string): string | null {
  const m = /^\s*(?:https?:)?\/\/(?:www\.)?([^/?#\s]+)([^#\s]*)/i.exec(url);
  if (!m) return null;
  const rest = m[2].replace(/\/+$/, '');
  if (rest === '' || rest === '/') return null;
  return m[1].toLowerCase() + rest;
}
