import type { DocTable } from '../query/doctable';
import { collapsedRanking, type StoryGroups } from '../query/dedupe';
import { QueryError } from '../query/parse';
import { rankDocs } from '../query/rank';
import { intOption, MAX_EXPORT, matchFilters } from './options';
import type { QueryRunner } from './run-query';
import type { ExportRow, SearchOptions } from './types';

/** What an export reads from its engine. */
export interface ExportSources {
  runner: QueryRunner;
  table: DocTable;
  stories: StoryGroups;
}

/**
 * Ranked rows of a search for export, up to `max` (at most {@link MAX_EXPORT}) from
 * `offset`, produced lazily so that a large export can be streamed.
 */
export function* exportRows(
  src: ExportSources,
  query: string,
  options: Omit<SearchOptions, 'limit'> = {},
  max: number = MAX_EXPORT,
): IterableIterator<ExportRow> {
  const { runner, table, stories } = src;
  const limit = intOption(max, 'limit', MAX_EXPORT, 1, MAX_EXPORT);
  const offset = intOption(options.offset, 'offset', 0, 0, 1_000_000);
  const collapse = options.collapse ?? true;
  const sort = options.sort ?? 'relevance';
  if (sort !== 'relevance' && sort !== 'date') throw new QueryError('sort must be "relevance" or "date"', 'sort');
  const { plan, matched } = runner.run(query, matchFilters(options));
  if (plan.groups.length === 0) return;
  const need = offset + limit;
  const ranked = collapse
    ? collapsedRanking(stories, (k) => rankDocs(table, matched, plan, sort, k), need, matched.docs.length)
    : rankDocs(table, matched, plan, sort, need);
  const inMatches = new Set(matched.docs);
  let rank = offset;
  for (const { doc, score } of ranked.slice(offset, need)) {
    const p = table.posts[doc];
    yield {
      rank: ++rank,
      id: p.id,
      title: p.title,
      url: p.url,
      date: p.date,
      author: p.author,
      categories: [...p.categories],
      tags: [...p.tags],
      score: Math.round(score * 1000) / 1000,
      duplicates: stories.others(doc).filter((o) => inMatches.has(o)).length,
    };
  }
}
