import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'benchmarks.md');
/**
 * Replace an output block of docs/benchmarks.md (between its `<!-- NAME:start -->` and
 * `<!-- NAME:end -->` markers, `bench-output` by default) with `command` and `output`, so
 * the document always shows one whole run. Returns the file written.
 */
export function writeDocsBlock(command: string, output: string, name = 'bench-output'): string {
  const START = `<!-- ${name}:start -->`;
  const END = `<!-- ${name}:end -->`;
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC}: markers ${START} … ${END} not found`);
  const block = `${START}\n\n\`\`\`text\n$ ${command}\n${output.replace(/\s+$/, '')}\n\`\`\`\n\n`;
  writeFileSync(DOC, doc.slice(0, a) + block + doc.slice(b));
  return DOC;
}
