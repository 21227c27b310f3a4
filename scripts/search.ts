import { search } from '../src/cli/search';

/** `npm run search`: the same as `zhsearch search`. */
void search.run(process.argv.slice(2), 'npm run search --');
