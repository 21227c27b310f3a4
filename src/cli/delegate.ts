import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from './args';

/**
 * Run a compiled script of the source checkout (`dist/scripts/<name>.js`) in this process
 * with `argv` as its arguments. The scripts read `process.argv` themselves; they are
 * not part of the published package (they need the development dependencies).
 */
export function runScript(name: string, argv: string[]): void {
  const script = join(__dirname, '..', '..', 'scripts', `${name}.js`);
  if (!existsSync(script)) {
    fail(`zhsearch ${name} runs from a source checkout of zhsearch (git clone, npm ci): ${script} not found`);
  }
  process.argv = [process.argv[0] ?? process.execPath, script, ...argv];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(script);
}
