/** Run a flag parser (node:util parseArgs); on a bad flag print the message and usage, exit 2. */
export function parseOrExit<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
}

/** Print an error and exit with `code`. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}
