import type { MatchFilters } from '../query/execute';
import { QueryError } from '../query/parse';
import type { SearchOptions } from './types';

/** Default and maximum page sizes. */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
/** Most rows one export returns. */
export const MAX_EXPORT = 10_000;

/** A whole-number option within [min, max], `dflt` when undefined; else a {@link QueryError} naming it. */
export function intOption(v: number | undefined, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw new QueryError(`${name} must be a whole number from ${min} to ${max}`, name);
  return v;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parse an ISO date option; a bare `to` date means the end of that day (UTC). */
export function dateOption(v: string | undefined, name: string, endOfDay: boolean): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = typeof v === 'string' && ISO_DATE.test(v) ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : NaN;
  // Date.parse rolls 2021-02-30 over into March: a day that does not exist is an error.
  const exists = !Number.isNaN(t) && new Date(Date.parse(`${v.slice(0, 10)}T12:00:00Z`)).toISOString().slice(0, 10) === v.slice(0, 10);
  if (!exists) throw new QueryError(`${name} must be an ISO date such as 2021-10-26`, name);
  return endOfDay && v.length === 10 ? t + 86_400_000 - 1 : t;
}

/** The match filters of search options, dates checked and parsed. */
export function matchFilters(options: SearchOptions): MatchFilters {
  return {
    categories: options.categories,
    tags: options.tags,
    author: options.author,
    fromMs: dateOption(options.from, 'from', false),
    toMs: dateOption(options.to, 'to', true),
  };
}
