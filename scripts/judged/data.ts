import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The judged set's files: the queries (scripts/judged/queries.json) and the judgments
 * (scripts/judged/qrels.tsv: `queryId<TAB>docId<TAB>grade`, one per line, sorted).
 */

/** The four kinds of query the set is balanced over. */
export const KINDS = ['keywords', 'multi', 'question', 'variant'] as const;
export type QueryKind = (typeof KINDS)[number];

/** One judged query: what is typed, and what a relevant post must be about. */
export interface JudgedQuery {
  id: string;
  kind: QueryKind;
  query: string;
  need: string;
}

/** Grades 0 (not relevant), 1 (partly relevant), 2 (highly relevant). */
export const GRADES = [0, 1, 2] as const;

/** Query id → (doc id → grade). */
export type Qrels = Map<string, Map<string, number>>;

/** The repository root, from the compiled script's folder (dist/scripts/judged). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const DEFAULT_QUERIES = join(REPO_ROOT, 'scripts', 'judged', 'queries.json');
export const DEFAULT_QRELS = join(REPO_ROOT, 'scripts', 'judged', 'qrels.tsv');

/** Read and check the query file; throws an error naming the file and the entry at fault. */
export function loadQueries(file: string): JudgedQuery[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a JSON array of queries`);
  const seen = new Set<string>();
  return raw.map((q: unknown, i) => {
    const r = (typeof q === 'object' && q !== null ? q : {}) as Record<string, unknown>;
    for (const field of ['id', 'kind', 'query', 'need']) {
      if (typeof r[field] !== 'string' || r[field].trim() === '')
        throw new Error(`${file}: entry ${i}: field "${field}" must be a non-empty string`);
    }
    const id = r.id as string;
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`${file}: entry ${i}: id "${id}" may hold only letters, digits, _ and -`);
    if (seen.has(id)) throw new Error(`${file}: entry ${i}: duplicate id "${id}"`);
    seen.add(id);
    if (!(KINDS as readonly string[]).includes(r.kind as string))
      throw new Error(`${file}: entry ${i} (${id}): kind must be one of ${KINDS.join(', ')}`);
    return { id, kind: r.kind as QueryKind, query: r.query as string, need: r.need as string };
  });
}

/** One parsed grade line. */
export interface GradeLine {
  queryId: string;
  docId: string;
  grade: number;
}

/**
 * Parse grade lines (`queryId<TAB>docId<TAB>grade`). Blank lines and lines starting with
 * `#` are skipped; a malformed line is reported as `file:line: reason` in `problems`.
 */
export function parseGrades(text: string, file: string): { lines: GradeLine[]; problems: string[] } {
  const lines: GradeLine[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const cols = line.split('\t').map((c) => c.trim());
    if (cols.length !== 3) {
      problems.push(`${file}:${i + 1}: expected queryId<TAB>docId<TAB>grade, got ${cols.length} column(s)`);
      return;
    }
    const [queryId, docId, g] = cols;
    if (!/^[012]$/.test(g)) {
      problems.push(`${file}:${i + 1}: grade "${g}" is not 0, 1 or 2`);
      return;
    }
    if (queryId === '' || docId === '') {
      problems.push(`${file}:${i + 1}: empty query or document id`);
      return;
    }
    lines.push({ queryId, docId, grade: Number(g) });
  });
  return { lines, problems };
}

/** Read a qrels file (missing file: no judgments). */
export function loadQrels(file: string): Qrels {
  const qrels: Qrels = new Map();
  if (!existsSync(file)) return qrels;
  const { lines, problems } = parseGrades(readFileSync(file, 'utf8'), file);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  for (const l of lines) addGrade(qrels, l);
  return qrels;
}

/** Set one grade (a later grade for the same pair replaces the earlier one). */
export function addGrade(qrels: Qrels, l: GradeLine): void {
  let m = qrels.get(l.queryId);
  if (!m) qrels.set(l.queryId, (m = new Map<string, number>()));
  m.set(l.docId, l.grade);
}

/** The qrels file's text: a header comment, then one line per judgment sorted by query id then doc id. */
export function formatQrels(qrels: Qrels): string {
  const rows: string[] = [];
  for (const q of [...qrels.keys()].sort()) {
    const m = qrels.get(q)!;
    for (const d of [...m.keys()].sort()) rows.push(`${q}\t${d}\t${m.get(d)}`);
  }
  return `# queryId\tdocId\tgrade (0 not relevant, 1 partly, 2 highly relevant to the query's written need)\n${rows.map((r) => r + '\n').join('')}`;
}

/** Write qrels sorted and deduplicated. */
export function saveQrels(file: string, qrels: Qrels): void {
  writeFileSync(file, formatQrels(qrels));
}
