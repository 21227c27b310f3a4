import type { Request } from 'express';
import { asTypedOption, collapseOption, sortOption, wholeNumber, wholeNumberRule, type SearchOptions } from '../engine';

/** A request parameter problem: answered with 400 and a message naming the parameter. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

/** A request's query parameters, and the bracketed keys (`q[]`, `q[a]`) by the name before the bracket. */
interface ParsedQuery {
  values: Record<string, unknown>;
  bracketed: Map<string, string> | null;
}

const PARSED = Symbol('zhsearch.parsedQuery');
type WithParsed = Request & { [PARSED]?: ParsedQuery };

/**
 * The request's query parameters, parsed once. Express 5's `req.query` is a getter that
 * parses the URL again on every read, and a search reads a dozen parameters: parsing each
 * time was a tenth of the server's CPU per cached answer.
 */
function queryOf(req: Request): ParsedQuery {
  let parsed = (req as WithParsed)[PARSED];
  if (parsed === undefined) {
    const values = req.query as Record<string, unknown>;
    let bracketed: Map<string, string> | null = null;
    for (const key of Object.keys(values)) {
      const at = key.indexOf('[');
      if (at >= 0 && !(bracketed ??= new Map()).has(key.slice(0, at))) bracketed.set(key.slice(0, at), key);
    }
    parsed = { values, bracketed };
    (req as WithParsed)[PARSED] = parsed;
  }
  return parsed;
}

/** The value of a single-valued query parameter (undefined when absent); arrays and objects are refused. */
export function single(req: Request, name: string, maxLength = 256): string | undefined {
  const { values: q, bracketed } = queryOf(req);
  // The 'simple' query parser keeps `q[]=x` and `q[a]=x` as keys named `q[]` and `q[a]`:
  // refuse them rather than silently ignoring the value (an empty search for `q[]=x`).
  const key = bracketed?.get(name);
  if (key !== undefined) throw new BadRequest(`parameter ${name} must be a plain value, not ${key.slice(0, 40)}`, name);
  if (!Object.prototype.hasOwnProperty.call(q, name)) return undefined;
  const v = q[name];
  if (Array.isArray(v)) throw new BadRequest(`parameter ${name} is repeated: give it once`, name);
  if (typeof v !== 'string') throw new BadRequest(`parameter ${name} must be a plain value`, name);
  if (v.length > maxLength) throw new BadRequest(`parameter ${name} is too long: ${v.length} characters, at most ${maxLength}`, name);
  return v;
}

/** A whole-number parameter within [min, max] (the engine's rule, see engine/options.ts). */
export function integer(req: Request, name: string, dflt: number, min: number, max: number): number {
  const v = single(req, name, 20);
  if (v === undefined || v === '') return dflt;
  const n = wholeNumber(v, min, max);
  if (n === null) throw new BadRequest(`parameter ${wholeNumberRule(name, min, max)}`, name);
  return n;
}

/**
 * The filters, sort and collapse of a search or export request: read here, checked by the
 * engine's own option checks (engine/options.ts), so that a parameter is valid over HTTP
 * exactly when it is valid in the library. Dates are checked when the engine searches.
 */
export function searchFilters(req: Request): Omit<SearchOptions, 'offset' | 'limit'> {
  const sort = sortOption(single(req, 'sort'));
  const collapse = collapseOption(single(req, 'collapse'));
  const asTyped = asTypedOption(single(req, 'astyped'), 'astyped');
  const category = single(req, 'category');
  const tag = single(req, 'tag');
  return {
    collapse,
    asTyped,
    categories: category ? [category] : undefined,
    tags: tag ? [tag] : undefined,
    author: single(req, 'author') || undefined,
    from: single(req, 'from') || undefined,
    to: single(req, 'to') || undefined,
    sort,
  };
}
