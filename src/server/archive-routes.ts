import type { Express, Request, Response } from 'express';
import { once } from 'node:events';
import { MAX_EXPORT, type ExportRow, type SearchEngine } from '../engine';
import { BadRequest, integer, single } from './params';

/**
 * Routes for a growing archive, mounted ahead of the core API:
 *   GET /api/search?…&format=jsonl|csv&limit=N   ranked results for a researcher, streamed
 *   GET /api/docs/:id/related?limit=N             related articles of one post
 */
export function mountArchiveRoutes(app: Express, engine: () => SearchEngine): void {
  app.get('/api/search', (req, res, next) => {
    const format = single(req, 'format');
    if (format === undefined || format === '' || format === 'json') return next();
    if (format !== 'jsonl' && format !== 'csv') throw new BadRequest('parameter format must be json, jsonl or csv', 'format');
    const limit = integer(req, 'limit', 1000, 1, MAX_EXPORT);
    const rows = engine().exportRows(single(req, 'q') ?? '', exportOptions(req), limit);
    // The first row is computed before answering, so that a bad query is still a 400.
    const first = rows.next();
    streamRows(res, first.done ? null : first.value, rows, format).catch(next);
  });

  app.get('/api/docs/*id', (req, res, next) => {
    const parts = (req.params as { id?: string[] | string }).id;
    const segments = Array.isArray(parts) ? parts : [String(parts ?? '')];
    if (segments.length < 2 || segments[segments.length - 1] !== 'related') return next();
    const id = segments.slice(0, -1).join('/');
    const limit = integer(req, 'limit', 5, 1, 20);
    const related = id.length <= 1024 ? engine().related(id, limit) : null;
    if (!related) {
      res.status(404).json({ error: `no document with id ${JSON.stringify(id.slice(0, 200))}` });
      return;
    }
    res.json({ id, terms: related.terms, related: related.articles });
  });
}

function exportOptions(req: Request): Parameters<SearchEngine['exportRows']>[1] {
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
    categories: category ? [category] : undefined,
    tags: tag ? [tag] : undefined,
    author: single(req, 'author') || undefined,
    from: single(req, 'from') || undefined,
    to: single(req, 'to') || undefined,
    sort: sort === 'date' ? 'date' : 'relevance',
    collapse: collapse !== 'false' && collapse !== '0',
  };
}

const CSV_COLUMNS = ['rank', 'id', 'title', 'url', 'date', 'author', 'categories', 'tags', 'score', 'duplicates'] as const;

/** Write rows in ~64 KB chunks, waiting for the client to drain; stops when it goes away. */
async function streamRows(res: Response, first: ExportRow | null, rest: Iterator<ExportRow>, format: 'jsonl' | 'csv'): Promise<void> {
  res.status(200);
  res.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="zhsearch-results.${format}"`);
  const line = format === 'csv' ? csvLine : (r: ExportRow): string => JSON.stringify(r) + '\n';
  let chunk = format === 'csv' ? CSV_COLUMNS.join(',') + '\r\n' : '';
  for (let row = first; row;) {
    chunk += line(row);
    if (chunk.length >= 65_536) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      chunk = '';
    }
    const next = rest.next();
    row = next.done ? null : next.value;
  }
  if (!res.destroyed) res.end(chunk);
}

function csvLine(r: ExportRow): string {
  return CSV_COLUMNS.map((c) => csvField(r[c])).join(',') + '\r\n';
}

/**
 * One CSV field (RFC 4180 quoting). Text that a spreadsheet would run as a formula
 * (starting with = + - @, their fullwidth forms, which spreadsheets in CJK locales take
 * as the same, tab or CR) gets a leading apostrophe: the corpus is untrusted.
 */
export function csvField(v: string | number | string[] | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  let s = Array.isArray(v) ? v.join('; ') : v;
  if (/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
