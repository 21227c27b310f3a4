import type { Request } from 'express';
import type { SearchOptions } from '../engine';

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

/** The value of a single-valued query parameter (undefined when absent); arrays and objects are refused. */
export function single(req: Request, name: string, maxLength = 256): string | undefined {
  const q = req.query as Record<string, unknown>;
  // The 'simple' query parser keeps `q[]=x` and `q[a]=x` as keys named `q[]` and `q[a]`:
  // refuse them rather than silently ignoring the value (an empty search for `q[]=x`).
  for (const key of Object.keys(q)) {
    if (key.startsWith(`${name}[`)) throw new BadRequest(`parameter ${name} must be a plain value, not ${key.slice(0, 40)}`, name);
  }
  if (!Object.prototype.hasOwnProperty.call(q, name)) return undefined;
  const v = q[name];
  if (Array.isArray(v)) throw new BadRequest(`parameter ${name} is repeated: give it once`, name);
  if (typeof v !== 'string') throw new BadRequest(`parameter ${name} must be a plain value`, name);
  if (v.length > maxLength) throw new BadRequest(`parameter ${name} is too long: ${v.length} characters, at most ${maxLength}`, name);
  return v;
}

/** A whole-number parameter within [min, max]. */
export function integer(req: Request, name: string, dflt: number, min: number, max: number): number {
  const v = single(req, name, 20);
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new BadRequest(`parameter ${name} must be a whole number from ${min} to ${max}`, name);
  const n = Number(v);
  if (n < min || n > max) throw new BadRequest(`parameter ${name} must be a whole number from ${min} to ${max}`, name);
  return n;
}

/** The filters, sort and collapse of a search or export request, validated once for both. */
export function searchFilters(req: Request): Omit<SearchOptions, 'offset' | 'limit'> {
  const sort = single(req, 'sort');
  if (sort !== undefined && sort !== '' && sort !== 'relevance' && sort !== 'date') {
    throw new BadRequest('parameter sort must be relevance or date', 'sort');
  }
  const collapse = single(req, 'collapse');
  if (collapse !== undefined && !['', 'true', 'false', '1', '0'].includes(collapse)) {
    throw new BadRequest('parameter collapse must be true or false', 'collapse');
  }
  const category = single(req, 'category');
  const tag = single(req, 'tag');
  return {
    collapse: collapse !== 'false' && collapse !== '0',
    categories: category ? [category] : undefined,
    tags: tag ? [tag] : undefined,
    author: single(req, 'author') || undefined,
    from: single(req, 'from') || undefined,
    to: single(req, 'to') || undefined,
    sort: sort === 'date' ? 'date' : 'relevance',
  };
}
