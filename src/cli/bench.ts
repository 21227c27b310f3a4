import type { Command } from './command';
import { runScript } from './delegate';

/** `zhsearch bench`: the benchmark against other engines (scripts/bench.ts). */
export const bench: Command = {
  name: 'bench',
  summary: 'benchmark build, query, HTTP and cold start (source checkout)',
  run: async (argv) => runScript('bench', argv),
};
