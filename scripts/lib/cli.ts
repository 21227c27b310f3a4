export { parseOrExit, fail, intFlag } from '../../src/cli/args';
import { intFlag } from '../../src/cli/args';

/**
 * A whole-number flag within [min, max] that has a default (given to parseArgs, or `dflt`
 * here); a bad value exits with `code` naming the flag.
 */
export function intArg(value: string | undefined, name: string, min: number, max?: number, code = 2, dflt?: number): number {
  const n = intFlag(value, name, min, max, code) ?? dflt;
  if (n === undefined) throw new Error(`${name} has no value and no default`);
  return n;
}
