import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fail, parseOrExit } from '../lib/cli';
import { addGrade, DEFAULT_QRELS, DEFAULT_QUERIES, loadQrels, loadQueries, parseGrades, saveQrels } from './data';

const USAGE = `usage: node dist/scripts/judged/merge-grades.js [--qrels FILE] [--queries FILE] GRADES_FILE…

Folds judges' grade files (queryId<TAB>docId<TAB>grade, grade 0/1/2; # comments and blank
lines ignored) into the qrels file (default scripts/judged/qrels.tsv), sorted and
deduplicated. A grade for a pair already judged replaces it (files are read in the order
given) and is reported. Nothing is written when any line is malformed or names an
unknown query.`;

function main(): void {
  const { values, positionals } = parseOrExit(
    () =>
      parseArgs({
        allowPositionals: true,
        options: {
          qrels: { type: 'string', default: DEFAULT_QRELS },
          queries: { type: 'string', default: DEFAULT_QUERIES },
          help: { type: 'boolean' },
        },
      }),
    USAGE,
  );
  if (positionals.length === 0) fail(`no grade files given\n\n${USAGE}`, 2);
  const known = new Set(loadQueries(values.queries).map((q) => q.id));
  const qrels = loadQrels(values.qrels);
  const before = [...qrels.values()].reduce((s, m) => s + m.size, 0);
  const problems: string[] = [];
  let read = 0;
  let changed = 0;
  for (const file of positionals) {
    if (!existsSync(file)) {
      problems.push(`${file}: no such file`);
      continue;
    }
    const parsed = parseGrades(readFileSync(file, 'utf8'), file);
    problems.push(...parsed.problems);
    for (const l of parsed.lines) {
      if (!known.has(l.queryId)) {
        problems.push(`${file}: query id "${l.queryId}" is not in ${values.queries}`);
        continue;
      }
      read++;
      const old = qrels.get(l.queryId)?.get(l.docId);
      if (old !== undefined && old !== l.grade) {
        changed++;
        process.stderr.write(`regraded ${l.queryId} ${l.docId}: ${old} → ${l.grade} (${file})\n`);
      }
      addGrade(qrels, l);
    }
  }
  if (problems.length > 0) fail(`${problems.join('\n')}\n${problems.length} problem(s): ${values.qrels} left unchanged`);
  saveQrels(values.qrels, qrels);
  const after = [...qrels.values()].reduce((s, m) => s + m.size, 0);
  process.stdout.write(
    `${read} grades read from ${positionals.length} file(s): ${after - before} new judgments, ${changed} changed; ${values.qrels} now holds ${after}\n`,
  );
}

try {
  main();
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
