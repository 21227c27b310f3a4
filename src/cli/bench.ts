import type { Command } from './command';
import { runScript } from './delegate';

/** `zhsearch bench`: the benchmark against other engines (scripts/bench/main.ts). */
export const bench: Command = {
  name: 'bench',
  run: (argv) => Promise.resolve(runScript('bench', argv)),
};
