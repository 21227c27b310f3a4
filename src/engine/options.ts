import type { MatchFilters } from '../query/execute';
import { QueryError } from '../query/parse';
import type { SearchOptions } from './types';

/** Default and maximum page sizes. */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
/** Most rows one export returns. */
export const MAX_EXPORT = 10_000;

/** The sort orders of a search: relevance (ties newest first) or date (newest first). */
export type SortOrder = 'relevance' | 'date';

/**
 * `value` as a whole number within [min, max], or null when it is not one: a number, or a
 * string of decimal digits (a request or command-line parameter). The one place this rule
 * is written; every parameter check in src/ (options, HTTP, flags, environment) uses it.
 */
export function wholeNumber(value: unknown, min: number, max: number): number | null {
  const n = typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : NaN) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/** What a whole-number parameter must be, for its error message ("limit must be a whole number from 1 to 100"). */
export function wholeNumberRule(name: string, min: number, max: number): string {
  return max >= Number.MAX_SAFE_INTEGER
    ? `${name} must be a whole number of at least ${min}`
    : `${name} must be a whole number from ${min} to ${max}`;
}

/** A whole-number option within [min, max], `dflt` when undefined; else a {@link QueryError} naming it. */
export function intOption(v: unknown, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = wholeNumber(typeof v === 'string' ? NaN : v, min, max);
  if (n === null) throw new QueryError(wholeNumberRule(name, min, max), name);
  return n;
}

/** The sort option (default relevance); anything else is a {@link QueryError} naming `sort`. */
export function sortOption(v: unknown): SortOrder {
  if (v === undefined || v === '') return 'relevance';
  if (v !== 'relevance' && v !== 'date') throw new QueryError('sort must be "relevance" or "date"', 'sort');
  return v;
}

/**
 * The collapse option (default true): a boolean, or as a request parameter `true`,
 * `false`, `1`, `0` (empty: the default); anything else is a {@link QueryError}.
 */
export function collapseOption(v: unknown): boolean {
  return booleanOption(v, 'collapse', true);
}

/**
 * The asTyped option (default false), read like {@link collapseOption}; `name` is the
 * parameter named in the error (`astyped` over HTTP).
 */
export function asTypedOption(v: unknown, name = 'asTyped'): boolean {
  return booleanOption(v, name, false);
}

function booleanOption(v: unknown, name: string, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt;
  if (v === true || v === 'true' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  throw new QueryError(`${name} must be true or false`, name);
}

/** A search request's options, checked: what search and export share. */
export interface CheckedRequest {
  offset: number;
  limit: number;
  sort: SortOrder;
  collapse: boolean;
  asTyped: boolean;
  filters: MatchFilters;
}

/** Most hits a request may skip. */
export const MAX_OFFSET = 1_000_000;

/**
 * Check a search or export request in one place: offset, sort, collapse and the filters
 * (dates), and `limit` against `limits` (a search caps a larger limit at `cap`; an export
 * refuses one above `max`). Throws {@link QueryError} naming the parameter.
 */
export function checkRequest(options: SearchOptions, limits: { dflt: number; max: number; cap?: number }): CheckedRequest {
  const offset = intOption(options.offset, 'offset', 0, 0, MAX_OFFSET);
  const limit = intOption(options.limit, 'limit', limits.dflt, 1, limits.max);
  const filters = matchFilters(options);
  return {
    offset,
    limit: limits.cap === undefined ? limit : Math.min(limit, limits.cap),
    filters,
    sort: sortOption(options.sort),
    collapse: collapseOption(options.collapse),
    asTyped: asTypedOption(options.asTyped),
  };
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
