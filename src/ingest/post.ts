import matter from 'gray-matter';
import { basename, extname } from 'node:path';
import { htmlToText } from './html';

/** A post as zhsearch stores it: metadata plus clean text (paragraphs separated by '\n'). */
export interface Post {
  /** Path relative to the corpus root, POSIX separators. */
  id: string;
  title: string;
  /** ISO 8601 date-time, or null when the post has none or an invalid one. */
  date: string | null;
  author: string | null;
  /** Source URL (front matter `from`), untrusted: may be any string. */
  url: string | null;
  tags: string[];
  categories: string[];
  /** Readable body text, paragraphs separated by '\n'. */
  text: string;
}

/** A post without its body. */
export type PostMeta = Omit<Post, 'text'>;

/**
 * A copy of `p`'s metadata as a plain object that a caller may change freely; the body is
 * not read. Hits and export rows are built on it, in this field order.
 */
export function copyMeta(p: PostMeta): PostMeta {
  const { id, title, url, date, author } = p;
  return { id, title, url, date, author, categories: [...p.categories], tags: [...p.tags] };
}

/**
 * A copy of `p` as a plain object, body included, that a caller may change freely. A
 * spread is not enough: a loaded index's posts read their body through a getter.
 */
export function copyPost(p: Post): Post {
  return { ...copyMeta(p), text: p.text };
}

/** Limits applied while parsing one post. */
export interface ParseOptions {
  /** Maximum characters of body text kept per post (default 2,000,000). */
  maxTextChars?: number;
}

/** The outcome of parsing one file: a post with warnings, or the reason it was skipped. */
export type ParseResult = { ok: true; post: Post; warnings: string[] } | { ok: false; reason: string };

export const DEFAULT_MAX_TEXT_CHARS = 2_000_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode a file's bytes as UTF-8, or say why it is not a text post. */
export function decodePost(bytes: Uint8Array): { ok: true; text: string } | { ok: false; reason: string } {
  if (bytes.length === 0) return { ok: false, reason: 'empty file' };
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { ok: false, reason: 'UTF-16 text (byte order mark FF FE / FE FF): convert it to UTF-8' };
  }
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes)' };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: 'not valid UTF-8 (GBK/Big5 or another legacy encoding?): convert it to UTF-8' };
  }
}

/** Parse one post's text (front matter + HTML body) into a {@link Post}. */
export function parsePost(id: string, source: string, options: ParseOptions = {}): ParseResult {
  const maxChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  const warnings: string[] = [];
  let content = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  content = content.replace(/\r\n?/g, '\n');
  if (content.trim() === '') return { ok: false, reason: 'empty file' };

  let data: Record<string, unknown> = {};
  let rawFrontMatter = '';
  let body = content;
  if (/^---[ \t]*\n/.test(content)) {
    if (!/\n---[ \t]*(\n|$)/.test(content.slice(3))) {
      return { ok: false, reason: 'front matter never closes (no closing --- line)' };
    }
    try {
      // gray-matter copies its whole input into a Buffer: give it only the block up to the
      // closing delimiter it would find itself, and cut the body off the same way it does.
      const close = content.indexOf('\n---', 3) + 4;
      const parsed = matter(content.slice(0, close), {});
      data = isRecord(parsed.data) ? parsed.data : {};
      rawFrontMatter = parsed.matter ?? '';
      body = content.charCodeAt(close) === 10 ? content.slice(close + 1) : content.slice(close);
    } catch (err) {
      warnings.push(`unparsable front matter (${firstLine((err as Error).message)}): metadata ignored`);
      body = content.replace(/^---[ \t]*\n[\s\S]*?\n---[ \t]*(\n|$)/, '');
    }
  }

  // An oversized raw body is cut before parsing so that one file cannot exhaust memory.
  const maxRaw = maxChars * 4;
  if (body.length > maxRaw) {
    warnings.push(`body has ${body.length} characters of HTML: only the first ${maxRaw} were read`);
    body = body.slice(0, maxRaw);
  }
  let text = htmlToText(stripTitleLines(body));
  if (text.length > maxChars) {
    warnings.push(`text capped at ${maxChars} characters (had ${text.length})`);
    text = text.slice(0, maxChars);
  }
  if (text === '') warnings.push('empty body');

  let title = scalarText(data.title, 'title', warnings);
  if (!title) {
    title = fallbackTitle(id);
    warnings.push(`missing title: using the file name "${title}"`);
  }
  const date = parseDate(data.date, id, warnings, rawScalar(rawFrontMatter, 'date'));
  const post: Post = {
    id,
    title,
    date,
    author: scalarText(data.author, 'author', warnings) || null,
    url: scalarText(data.from, 'from', warnings) || null,
    tags: list(data.tags, 'tags', warnings),
    categories: list(data.categories, 'categories', warnings),
    text,
  };
  return { ok: true, post, warnings };
}

/** Drop the `<!--timestamp-->` comment and the Markdown `[title](url)` + `------` lines of archived posts. */
function stripTitleLines(body: string): string {
  return body.replace(/^\s*(?:<!--\s*\d+\s*-->\s*\n)?\s*(?:\[[^\n]*\]\([^\n]*\)[ \t]*\n[ \t]*[-=]{3,}[ \t]*(?:\n|$))?/, '');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 200);
}

function scalarText(v: unknown, field: string, warnings: string[]): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
  if (Array.isArray(v)) {
    warnings.push(`field "${field}" is a list: joined into one string`);
    return v
      .map((x) => (typeof x === 'object' && x !== null ? '' : String(x)))
      .join(' ')
      .trim();
  }
  warnings.push(`field "${field}" is not text: ignored`);
  return '';
}

function list(v: unknown, field: string, warnings: string[]): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[,，]/) : [v];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string' || typeof item === 'number') {
      const s = String(item).trim();
      if (s && !out.includes(s)) out.push(s);
    } else {
      warnings.push(`field "${field}" has a value that is not text: ignored`);
    }
  }
  return out;
}

/** The literal text of a top-level `key: value` line of raw front matter, unquoted (or null). */
function rawScalar(frontMatter: string, key: string): string | null {
  const m = new RegExp(`^${key}[ \\t]*:[ \\t]*(.*)$`, 'm').exec(frontMatter);
  if (!m) return null;
  return m[1]
    .replace(/[ \t]+#.*$/, '')
    .trim()
    .replace(/^(['"])(.*)\1$/, '$2');
}

/**
 * Accepts YAML timestamps, ISO strings, `2021/10/26 10:00`, Jekyll's `2021-10-26 10:18:00 +0800`
 * and epoch milliseconds or seconds. A date-time without a zone is UTC (as YAML reads it), so the
 * result never depends on the time zone of the machine that builds the index. Dates that do not
 * exist on the calendar (`2021-02-30`) are invalid, not rolled over into the next month.
 */
function parseDate(v: unknown, id: string, warnings: string[], raw: string | null = null): string | null {
  if (v === undefined || v === null || v === '') {
    const m = /(?:^|\/)(\d{4}-\d{2}-\d{2})-[^/]*$/.exec(id);
    const d = m ? dateText(m[1]) : undefined;
    return d ? validDate(d) : null;
  }
  let d: Date | null = null;
  if (v instanceof Date) {
    // YAML rolls impossible dates over (2021-02-30 → March 2): check the literal.
    const literal = raw !== null ? dateText(raw) : undefined;
    d = literal === null ? null : v;
  } else if (typeof v === 'number') d = new Date(v < 1e11 ? v * 1000 : v);
  else if (typeof v === 'string') {
    const s = v.trim();
    if (/^\d{10,13}$/.test(s)) d = new Date(s.length <= 10 ? Number(s) * 1000 : Number(s));
    else {
      const strict = dateText(s);
      if (strict !== undefined) d = strict;
      else if (/^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/.test(s)) {
        const t = Date.parse(
          s
            .replace(
              /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})/,
              (_m, y: string, mo: string, da: string) => `${y}-${mo.padStart(2, '0')}-${da.padStart(2, '0')}`,
            )
            .replace(/^(\d{4}-\d\d-\d\d) (\d)/, '$1T$2'),
        );
        d = new Date(t);
      }
    }
  }
  const iso = d ? validDate(d) : null;
  if (!iso) {
    const shown = raw ?? (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : JSON.stringify(v));
    warnings.push(`invalid date ${JSON.stringify(shown).slice(0, 60)}: date left empty`);
  }
  return iso;
}

const DATE_TEXT =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?[ \t]*(?:([Zz])|([+-])(\d{1,2})(?::?(\d{2}))?)?$/;

/**
 * A date or date-time in the usual text forms: the Date, null when it names no real
 * calendar date or time (month 13, February 30, 25:00), undefined when `s` is not in such a form.
 */
function dateText(s: string): Date | null | undefined {
  const m = DATE_TEXT.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k] ?? 0));
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return null;
  if (h > 23 || mi > 59 || sec > 59) return null;
  let offset = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? 0);
    if (oh > 14 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset * 60_000);
}

function validDate(d: Date): string | null {
  const t = d.getTime();
  if (Number.isNaN(t) || t < Date.UTC(1900, 0, 1) || t > Date.UTC(2200, 0, 1)) return null;
  return d.toISOString();
}

function fallbackTitle(id: string): string {
  const name = basename(id, extname(id));
  return name.replace(/^\d{4}-\d{2}-\d{2}-/, '') || name;
}
