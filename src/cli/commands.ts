import type { Command } from './command';

/** A subcommand as `zhsearch --help` lists it; its code is loaded only when it runs. */
export interface CommandEntry {
  name: string;
  /** One line for `zhsearch --help`. */
  summary: string;
  load(): Promise<Command>;
}

/** Every subcommand of `zhsearch`, in the order `zhsearch --help` lists them. A new one is a file and an entry here. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'build', summary: 'index a folder of posts (--corpus DIR --out DIR)', load: async () => (await import('./build')).build },
  { name: 'serve', summary: 'serve an index over HTTP: search page and JSON API', load: async () => (await import('./serve')).serve },
  { name: 'search', summary: 'run one query and print the hits', load: async () => (await import('./search')).search },
  {
    name: 'build-static',
    summary: 'write a search folder for a static site, no server (--corpus DIR --out DIR)',
    load: async () => (await import('./build-static')).buildStaticCommand,
  },
  {
    name: 'verify',
    summary: 'check every file of an index against its manifest checksums',
    load: async () => (await import('./verify')).verify,
  },
  {
    name: 'eval',
    summary: 'measure recall, precision and MRR@10 of an index (source checkout)',
    load: async () => (await import('./eval')).evaluate,
  },
  {
    name: 'bench',
    summary: 'benchmark build, query, HTTP and cold start (source checkout)',
    load: async () => (await import('./bench')).bench,
  },
];
