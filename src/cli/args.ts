import { parseArgs, type ParseArgsConfig } from 'node:util';
import { wholeNumber, wholeNumberRule } from '../engine/options';

/** The option table of a subcommand, as node:util parseArgs takes it. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What {@link parseFlags} returns for an option table. */
export type ParsedFlags<O extends OptionTable> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * Parse `argv` against `options` (plus `--help`/`-h`). On a bad flag print the message and
 * the usage and exit 2; with `--help` print the usage and exit 0.
 */
export function parseFlags<O extends OptionTable>(argv: string[], options: O, usage: string): ParsedFlags<O> {
  const withHelp: O = { ...options, help: { type: 'boolean', short: 'h', default: false } };
  const parsed = parseOrExit(
    () =>
      parseArgs({ args: argv, options: withHelp, allowPositionals: true, strict: true }) as ParsedFlags<O> & { values: { help?: boolean } },
    usage,
  );
  return parsed;
}

/**
 * Run a flag parser. On a bad flag print the message and usage and exit 2; with `--help`
 * (a boolean `help` option) print the usage and exit 0.
 */
export function parseOrExit<T extends { values: { help?: boolean } }>(parse: () => T, usage: string): T {
  let parsed: T;
  try {
    parsed = parse();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (parsed.values.help) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  return parsed;
}

/** Print an error and exit with `code`. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/**
 * A whole-number flag (or undefined when absent); out of range fails naming the flag,
 * exiting with `code`. `max` defaults to no upper bound.
 */
export function intFlag(
  value: string | undefined,
  name: string,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  code = 2,
): number | undefined {
  if (value === undefined) return undefined;
  const n = wholeNumber(value, min, max);
  if (n === null) fail(`${wholeNumberRule(name, min, max)} (got ${JSON.stringify(value)})`, code);
  return n;
}
