import type { RequestHandler, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { once } from 'node:events';
import { MAX_EXPORT, type ExportRow } from '../engine';
import type { EngineHolder } from './engine-holder';
import { BadRequest, integer, searchFilters, single } from './params';

/**
 * GET /api/search?…&format=jsonl|csv&limit=N: ranked results for a researcher, streamed.
 * Passes requests without a format (or format=json) on to the search route.
 */
export function exportRoute(engines: EngineHolder): RequestHandler {
  return (req, res, next) => {
    const format = single(req, 'format');
    if (format === undefined || format === '' || format === 'json') return next();
    if (format !== 'jsonl' && format !== 'csv') throw new BadRequest('parameter format must be json, jsonl or csv', 'format');
    const limit = integer(req, 'limit', 1000, 1, MAX_EXPORT);
    const rows = engines.current().exportRows(single(req, 'q') ?? '', searchFilters(req), limit);
    // The first row is computed before answering, so that a bad query is still a 400.
    const first = rows.next();
    streamRows(res, first.done ? null : first.value, rows, format).catch(next);
  };
}

const CSV_COLUMNS = ['rank', 'id', 'title', 'url', 'date', 'author', 'categories', 'tags', 'score', 'duplicates'] as const;

/** Write rows in ~64 KB chunks, waiting for the client to drain; stops when it goes away. */
async function streamRows(res: Response, first: ExportRow | null, rest: Iterator<ExportRow>, format: 'jsonl' | 'csv'): Promise<void> {
  res.status(200);
  res.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="zhsearch-results.${format}"`);
  const line = format === 'csv' ? csvLine : (r: ExportRow): string => JSON.stringify(r) + '\n';
  let chunk = format === 'csv' ? csvRecord([...CSV_COLUMNS]) : '';
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

/**
 * RFC 4180 records. `escape_formulas` prefixes an apostrophe to text a spreadsheet would run
 * as a formula (= + - @, their fullwidth forms, tab, CR): the corpus is untrusted.
 */
const CSV_OPTIONS = { escape_formulas: true, record_delimiter: '\r\n', quoted_match: /[\r\n]/ } as const;

function csvRecord(fields: Array<string | number>): string {
  return stringify([fields], CSV_OPTIONS);
}

function csvLine(r: ExportRow): string {
  return csvRecord(CSV_COLUMNS.map((c) => csvField(r[c])));
}

function csvField(v: string | number | string[] | null): string | number {
  return v === null ? '' : Array.isArray(v) ? v.join('; ') : v;
}
