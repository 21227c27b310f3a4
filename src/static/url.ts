import { basename, extname } from 'node:path';
import type { Post } from '../ingest/post';

/**
 * Where a post lives on the Jekyll site, from a permalink pattern in Jekyll's own
 * placeholders, so results link to the pages the site already publishes.
 */

/** Jekyll's default (`permalink: date`). */
export const DEFAULT_PERMALINK = '/:categories/:year/:month/:day/:title:output_ext';

/** Named styles Jekyll accepts in `_config.yml` besides a pattern. */
const STYLES: Record<string, string> = {
  date: DEFAULT_PERMALINK,
  pretty: '/:categories/:year/:month/:day/:title/',
  ordinal: '/:categories/:year/:y_day/:title:output_ext',
  none: '/:categories/:title:output_ext',
};

/**
 * The site path of a post: `pattern` (a Jekyll style name or pattern) filled from the
 * post's date (UTC), categories and file name, prefixed with `baseUrl`. Each path
 * segment is percent-encoded, so Chinese file names make valid links.
 */
export function postUrl(post: Post, pattern: string = DEFAULT_PERMALINK, baseUrl = ''): string {
  const p = STYLES[pattern] ?? pattern;
  const d = post.date ? new Date(post.date) : null;
  const two = (n: number): string => String(n).padStart(2, '0');
  const slug = basename(post.id, extname(post.id)).replace(/^\d{4}-\d{2}-\d{2}-/, '');
  const yday = d
    ? Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 0)) / 86_400_000)
    : 0;
  const values: Record<string, string> = {
    // Jekyll lower-cases category names in URLs.
    categories: [...new Set(post.categories.map((c) => c.toLowerCase()))].join('/'),
    year: d ? String(d.getUTCFullYear()) : '',
    month: d ? two(d.getUTCMonth() + 1) : '',
    i_month: d ? String(d.getUTCMonth() + 1) : '',
    day: d ? two(d.getUTCDate()) : '',
    i_day: d ? String(d.getUTCDate()) : '',
    y_day: String(yday).padStart(3, '0'),
    short_year: d ? two(d.getUTCFullYear() % 100) : '',
    title: slug,
    slug,
    output_ext: '.html',
  };
  const filled = p.replace(/:([a-z_]+)/g, (m, name: string) => values[name] ?? m);
  const path = filled
    .split('/')
    .filter((seg, i, all) => seg !== '' || i === 0 || i === all.length - 1)
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  return baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : '/' + path);
}
