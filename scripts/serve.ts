import { serve } from '../src/cli/serve';

/** `npm run serve`: the same as `zhsearch serve`. */
void serve.run(process.argv.slice(2), 'npm run serve --');
