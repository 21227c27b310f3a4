#!/usr/bin/env node
import { COMMANDS } from './commands';

/** The package's version, read once for `--version`. */
function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../../package.json') as { version: string }).version;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: zhsearch <command> [options]',
    '',
    'Chinese full-text search over an archive of Markdown/HTML posts.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'zhsearch <command> --help' for a command's options. Settings also come from",
    'environment variables (INDEX_DIR, PORT, HOST, …); a flag overrides its variable.',
  ].join('\n');
}

/** `zhsearch <command> …`: dispatch to the subcommand. */
async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    process.exit(name === undefined ? 2 : 0);
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(version() + '\n');
    return;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`zhsearch: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    process.exit(2);
  }
  await (await command.load()).run(rest, `zhsearch ${command.name}`);
}

void main(process.argv.slice(2));
