import { findKey } from '../format/bigram-postings';
import type { DocTexts } from '../segment/doc-texts';
import { copyMeta, type Post } from '../ingest/post';
import { collapsedRanking, type DuplicateGroups } from '../query/duplicate-groups';
import type { DocTable } from '../query/doctable';
import type { MatchResult } from '../query/execute';
import type { QueryPlan } from '../query/plan';
import { rankDocs, ranker, type Ranked } from '../query/rank';
import { highlightAll, makeSnippet, SNIPPET_LENGTH, unitWeights } from '../query/snippet';
import type { QueryRunner, Relaxed } from './run-query';
import type { Hit, PostFields, RelaxedMatches } from './types';

/** A post's fields as a hit or export row shows them, with its score to three decimals. */
export function postFields(p: Post, score: number): PostFields {
  return { ...copyMeta(p), score: Math.round(score * 1000) / 1000 };
}

/** What a hit is made from: the loaded documents, their display text and duplicate groups. */
export interface HitSources {
  table: DocTable;
  texts: DocTexts;
  groups: DuplicateGroups;
  runner: QueryRunner;
}

/** Which hits to make: a page of a query's matches. */
export interface PageRequest {
  sort: 'relevance' | 'date';
  /** One hit per duplicate group. */
  collapse: boolean;
  offset: number;
  limit: number;
  /** Documents holding a unit, for snippet weights. */
  unitDf: (unit: string) => number;
  /** With `collapse`: the distinct posts among the matches, when counted already (see collapsedRanking). */
  distinct?: number;
}

/** At least the first `need` matches of a planned query, ranked; one per duplicate group with `collapse`. */
export function rankMatches(
  src: Pick<HitSources, 'table' | 'groups'>,
  plan: QueryPlan,
  matched: MatchResult,
  sort: 'relevance' | 'date',
  collapse: boolean,
  need: number,
  distinct?: number,
): Ranked[] {
  const { table, groups } = src;
  return collapse
    ? collapsedRanking(groups, ranker(table, matched, plan, sort), need, matched.docs.length, distinct)
    : rankDocs(table, matched, plan, sort, need);
}

/** The hits of matches [offset, offset + limit) of a planned query, ranked. */
export function pageHits(src: HitSources, plan: QueryPlan, matched: MatchResult, req: PageRequest): Hit[] {
  const { table, groups } = src;
  const { offset, limit } = req;
  const shown = rankMatches(src, plan, matched, req.sort, req.collapse, offset + limit, req.distinct).slice(offset, offset + limit);
  const inMatches = shown.some((r) => groups.grouped(r.doc)) ? membership(table.size, matched.docs) : null;
  // Snippet weights depend on the query only: computed once, not per hit.
  const weights = unitWeights(plan.highlight, table.size, req.unitDf);
  return shown.map(({ doc, score }) => makeHit(src, doc, score, plan, matched, inMatches, weights));
}

/**
 * Whether a document of an index of `size` is among `docs`, for the few duplicates of a
 * page of hits: a binary search when `docs` is in document order (Chinese words, found
 * through bigram postings, and free-text queries are), else a flag per document (OR-ed
 * clauses list their matches clause by clause, Latin words in FlexSearch's order). A flag
 * array written for every match showed in profiles of frequent words on a large archive.
 */
export function membership(size: number, docs: Uint32Array): (doc: number) => boolean {
  let ascending = true;
  for (let i = 1; i < docs.length && ascending; i++) ascending = docs[i - 1] < docs[i];
  if (ascending) return (doc) => findKey(docs, doc) >= 0;
  const flags = new Uint8Array(size);
  for (let i = 0; i < docs.length; i++) flags[docs[i]] = 1;
  return (doc) => flags[doc] === 1;
}

/**
 * The hit of document `doc`: snippet and title highlighted with the plan's units (snippet
 * `weights` per unit), the listed terms it holds and lacks, and its duplicates among the
 * matches (`inMatches`, see {@link membership}; null when none of the page is grouped).
 */
export function makeHit(
  src: HitSources,
  doc: number,
  score: number,
  plan: QueryPlan,
  found: MatchResult,
  inMatches: ((doc: number) => boolean) | null,
  weights: number[],
): Hit {
  const { table, groups } = src;
  const p = table.posts[doc];
  const units = plan.highlight;
  const matched: string[] = [];
  const missing: string[] = [];
  for (const t of plan.terms) (src.runner.holds(plan, found, doc, t, null) ? matched : missing).push(t.text);
  const dupes = inMatches ? groups.others(doc).filter(inMatches) : [];
  return {
    ...postFields(p, score),
    snippet: makeSnippet(src.texts.display(doc), table.text(doc), units, SNIPPET_LENGTH, weights),
    titleHighlighted: highlightAll(p.title, table.ntitle[doc], units),
    duplicates: dupes.length,
    duplicateIds: dupes.map((d) => table.posts[d].id),
    matched,
    missing,
  };
}

/** The relaxed section of an answer: a page of the posts that hold a query's words but its last, each missing it. */
export function relaxedMatches(src: HitSources, relaxed: Relaxed, total: number, req: PageRequest): RelaxedMatches {
  const hits = pageHits(src, relaxed.plan, relaxed.matched, req).map((h) => ({ ...h, missing: [...h.missing, relaxed.dropped] }));
  return { query: relaxed.query, dropped: relaxed.dropped, total, hits };
}
