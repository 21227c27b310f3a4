/**
 * Run a flag parser (node:util parseArgs). On a bad flag print the message and usage and
 * exit 2; with `--help` (a boolean `help` option) print the usage and exit 0.
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
