import { readFileSync } from 'node:fs';
import { normalize } from './normalize';
import { DEFAULT_SYNONYMS } from './synonyms.default';

/**
 * Synonyms and abbreviations that expand queries: a query word equal to one member of
 * a group also finds documents with the other members, ranked below literal matches
 * (see query/plan and query/score).
 *
 * File format (UTF-8 text):
 *
 *     # a comment
 *     阿塔, 阿富汗塔利班
 *     新冠, 新型冠状病毒, COVID-19
 *
 * One group per line, members separated by commas (`,` or `，`); blank lines and lines
 * starting with `#` are ignored. Members are normalized like queries (either script,
 * any case). A member in several groups gets all their members. Groups apply at query
 * time, so a changed file needs no rebuild, only a restart or reload.
 */
export class Synonyms {
  private readonly byTerm = new Map<string, string[]>();

  /** Parse synonym groups; `source` names the file in error messages. */
  constructor(text: string, source = 'synonyms') {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const members = [...new Set(line.split(/[,，]/).map((m) => normalize(m.trim()).replace(/\s+/g, ' ')))].filter((m) => m !== '');
      if (members.length < 2) throw new Error(`${source}:${i + 1}: a group needs at least two members separated by commas`);
      for (const m of members) {
        const known = this.byTerm.get(m) ?? [];
        this.byTerm.set(m, [...new Set([...known, ...members.filter((x) => x !== m)])]);
      }
    });
  }

  /** The other members of every group holding the normalized word (empty when none). */
  of(word: string): readonly string[] {
    return this.byTerm.get(word) ?? NONE;
  }

  /** Every distinct member, normalized. */
  members(): string[] {
    return [...this.byTerm.keys()];
  }

  /** Number of distinct members. */
  get size(): number {
    return this.byTerm.size;
  }
}

const NONE: readonly string[] = [];

/** No synonyms at all. */
export const NO_SYNONYMS = new Synonyms('');

let defaults: Synonyms | null = null;

/**
 * The synonyms to use: a file path, `false` for none, or (undefined) the file named by
 * the SYNONYMS_FILE environment variable, else zhsearch's default list
 * (analysis/synonyms.default.ts). A missing or malformed file is an error naming it.
 */
export function loadSynonyms(source?: string | false): Synonyms {
  if (source === false) return NO_SYNONYMS;
  const path = source ?? (process.env.SYNONYMS_FILE || undefined);
  if (path === undefined) return (defaults ??= new Synonyms(DEFAULT_SYNONYMS, 'default synonyms'));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read synonyms file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return new Synonyms(text, path);
}
