import { verifyIndex, type VerifyReport } from '../store/verify';
import { fail, parseFlags } from './args';
import type { Command } from './command';

const usage = (prog: string): string => `usage: ${prog} [--index DIR]

Reads every file of the live index version in --index (default $INDEX_DIR or index-data/)
and compares it with the checksums its manifest records. Opening an index checks only
the files changed since their build; this checks all of them. Exits 1 when a file is
damaged, naming it.`;

/** `zhsearch verify`: check every byte of an index against its manifest. */
export const verify: Command = { name: 'verify', run };

async function run(argv: string[], prog: string): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    { index: { type: 'string', default: process.env.INDEX_DIR || 'index-data' } },
    usage(prog),
  );
  if (positionals.length > 0) fail(`verify takes no arguments besides --index (got ${JSON.stringify(positionals[0])})`, 2);
  let report: VerifyReport;
  try {
    report = await verifyIndex(values.index);
  } catch (err) {
    fail((err as Error).message);
  }
  const mb = (report.bytes / 2 ** 20).toFixed(1);
  if (report.damaged.length > 0) {
    for (const d of report.damaged) process.stderr.write(`${report.dir}: ${d}\n`);
    fail(`index ${report.dir} is damaged: ${report.damaged.length} of ${report.files} files; rebuild it`);
  }
  process.stdout.write(`${report.dir}: ${report.files} files, ${mb} MB, all match the manifest\n`);
}
