import type { Command } from './command';
import { runScript } from './delegate';

/** `zhsearch eval`: recall, precision and known-item MRR@10 of an index (scripts/eval.ts). */
export const evaluate: Command = {
  name: 'eval',
  run: (argv) => Promise.resolve(runScript('eval', argv)),
};
