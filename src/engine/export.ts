import type { DocTable } from '../query/doctable';
import type { DuplicateGroups } from '../query/duplicate-groups';
import { checkRequest, MAX_EXPORT } from './options';
import { membership, postFields, rankMatches } from './hits';
import type { QueryRunner } from './run-query';
import type { ExportRow, SearchOptions } from './types';

/** What an export reads from its engine. */
export interface ExportSources {
  runner: QueryRunner;
  table: DocTable;
  groups: DuplicateGroups;
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
  const { runner, table, groups } = src;
  const { offset, limit, filters, sort, collapse, asTyped } = checkRequest(
    { ...options, limit: max },
    { dflt: MAX_EXPORT, max: MAX_EXPORT },
  );
  const { plan, matched } = runner.run(query, filters, { reinterpret: !asTyped });
  if (plan.groups.length === 0) return;
  const need = offset + limit;
  const ranked = rankMatches(src, plan, matched, sort, collapse, need);
  const inMatches = membership(table.size, matched.docs);
  let rank = offset;
  for (const { doc, score } of ranked.slice(offset, need)) {
    yield {
      rank: ++rank,
      ...postFields(table.posts[doc], score),
      duplicates: groups.others(doc).filter(inMatches).length,
    };
  }
}
