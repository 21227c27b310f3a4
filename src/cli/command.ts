/** One `zhsearch` subcommand. */
export interface Command {
  /** The word after `zhsearch`. */
  name: string;
  /**
   * Run with the arguments after the subcommand. `prog` is how the user called it
   * (`zhsearch build`, `npm run build-index --`), for the usage text.
   */
  run(argv: string[], prog: string): Promise<void>;
}
