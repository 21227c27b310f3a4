import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'benchmarks.md');
const START = '<!-- bench-output:start -->';
const END = '<!-- bench-output:end -->';

/**
 * Replace the output block of docs/benchmarks.md (between its markers) with `command`
 * and `output`, so the document always shows one whole run. Returns the file written.
 */
export function writeDocsBlock(command: string, output: string): string {
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC}: markers ${START} … ${END} not found`);
  const block = `${START}\n\n\`\`\`text\n$ ${command}\n${output.replace(/\s+$/, '')}\n\`\`\`\n\n`;
  writeFileSync(DOC, doc.slice(0, a) + block + doc.slice(b));
  return DOC;
}
