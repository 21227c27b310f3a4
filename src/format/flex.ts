import { Index } from 'flexsearch';
import type { FlexIndex } from './flex-index';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The FlexSearch configuration of every shard. A plain `Index` (not `Document`) is
 * enough: zhsearch feeds it its own terms (bigrams, jieba words, Latin runs) for title
 * and body together, and keeps fields, metadata and text in its own document store, so
 * one posting list per term serves the AND across title and body that `Document`
 * cannot do. The `encode` function passes pre-computed term arrays straight through.
 *
 * Terms are added in descending order of (title-weighted) frequency, so FlexSearch's
 * position "resolution" slot of a term in a document ranks how prominent the term is
 * there; search results come back in that order, which zhsearch uses as a cheap prior
 * before exact BM25 scoring.
 *
 * The options are not part of FlexSearch's export: they are recorded in the manifest
 * (`FLEX_OPTIONS`) and an index built with other options is refused at load.
 */
export const FLEX_OPTIONS = { tokenize: 'strict', resolution: 9, fastupdate: false, cache: false } as const;

function passThrough(content: string | string[]): string[] {
  return Array.isArray(content) ? content : content.split(' ');
}

/** A new, empty shard index. */
export function createFlexIndex(): Index {
  return new Index({ ...FLEX_OPTIONS, encode: passThrough });
}

/** Serialize an index as `key\tdata` lines (FlexSearch's keyed export chunks). */
export async function exportFlex(index: FlexIndex): Promise<string> {
  const lines: string[] = [];
  await index.export((key: string, data: string) => {
    if (data !== undefined && data !== null) lines.push(`${key}\t${data}`);
  });
  return lines.join('\n');
}

/** Rebuild an index from {@link exportFlex} output. */
export function importFlex(serialized: string): Index {
  const index = createFlexIndex();
  if (serialized === '') return index;
  for (const line of serialized.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error('malformed FlexSearch export line');
    index.import(line.slice(0, tab), line.slice(tab + 1));
  }
  return index;
}

/**
 * The JSON text of each `map` chunk of an {@link exportFlex} output (FlexSearch's term
 * entries), without building an index: queries read them into packed postings
 * (query/word-postings). `where` names the file in errors.
 */
export function flexMapChunks(serialized: string, where: string): string[] {
  const out: string[] = [];
  if (serialized === '') return out;
  let at = 0;
  while (at < serialized.length) {
    let end = serialized.indexOf('\n', at);
    if (end < 0) end = serialized.length;
    const tab = serialized.indexOf('\t', at);
    if (tab < 0 || tab > end) throw new Error(`${where}: malformed FlexSearch export line`);
    const key = serialized.slice(at, tab);
    if (key === 'map' || key.endsWith('.map')) out.push(serialized.slice(tab + 1, end));
    at = end + 1;
  }
  return out;
}

/** Installed FlexSearch version (its package.json is not exported, so read it beside the bundle). */
export function flexVersion(): string {
  const pkg = join(dirname(require.resolve('flexsearch')), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}
