import type { Command } from './command';
import { build } from './build';
import { serve } from './serve';
import { search } from './search';
import { evaluate } from './eval';
import { bench } from './bench';

/** Every subcommand of `zhsearch`, in the order `zhsearch --help` lists them. A new one is a file and a line here. */
export const COMMANDS: readonly Command[] = [build, serve, search, evaluate, bench];
