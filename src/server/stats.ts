import { STOP_WORDS } from '../analysis/stopwords';
import type { SearchEngine } from '../engine';

/** What the search page's start screen shows about the archive (GET /api/stats). */
export interface ArchiveStats {
  docs: number;
  /** Earliest and latest post date (YYYY-MM-DD), null when no post has a date. */
  from: string | null;
  to: string | null;
  /** Posts per year. */
  years: Record<string, number>;
  /** The commonest source sites (host of the posts' `from` URL), most posts first. */
  sources: Array<{ name: string; posts: number }>;
  /** The commonest categories, most posts first. */
  categories: Array<{ name: string; posts: number }>;
  /** Example queries: the archive's commonest tags (its own topics). */
  examples: string[];
  /** Words ignored in queries: the page explains a query made only of them. */
  stopWords: string[];
}

const TOP = 6;
const computed = new WeakMap<SearchEngine, ArchiveStats>();

/** Statistics of an engine's archive, computed once per engine (a reload brings a new engine). */
export function archiveStats(engine: SearchEngine): ArchiveStats {
  let stats = computed.get(engine);
  if (!stats) {
    stats = compute(engine);
    computed.set(engine, stats);
  }
  return stats;
}

function compute(engine: SearchEngine): ArchiveStats {
  let docs = 0;
  let from: string | null = null;
  let to: string | null = null;
  const years = new Map<string, number>();
  const hosts = new Map<string, number>();
  const cats = new Map<string, number>();
  const tags = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  // Metadata only: the bodies are not needed, and reading every one blocked the server.
  for (const post of engine.metadata()) {
    docs++;
    const day = /^\d{4}-\d{2}-\d{2}/.exec(post.date ?? '')?.[0];
    if (day) {
      if (from === null || day < from) from = day;
      if (to === null || day > to) to = day;
      bump(years, day.slice(0, 4));
    }
    const host = hostOf(post.url);
    if (host) bump(hosts, host);
    for (const c of post.categories) bump(cats, c);
    for (const t of post.tags) bump(tags, t);
  }
  const top = (m: Map<string, number>): Array<{ name: string; posts: number }> =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP)
      .map(([name, posts]) => ({ name, posts }));
  const yearRecord = Object.create(null) as Record<string, number>;
  for (const [y, n] of [...years.entries()].sort()) yearRecord[y] = n;
  return {
    docs,
    from,
    to,
    years: yearRecord,
    sources: top(hosts),
    categories: top(cats),
    // Tags of one character, or too long for a search box example, make poor examples.
    examples: top(new Map([...tags].filter(([t]) => t.length >= 2 && t.length <= 12))).map((t) => t.name),
    stopWords: [...STOP_WORDS],
  };
}

/** The host of an http(s) URL without `www.`, or null. */
function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname.replace(/^www\./, '') : null;
  } catch {
    return null;
  }
}
