import { build } from '../src/cli/build';

/** `npm run build-index`: the same as `zhsearch build`. */
void build.run(process.argv.slice(2), 'npm run build-index --');
