import { buildStaticCommand } from '../src/cli/build-static';

/** `npm run build-static`: the same as `zhsearch build-static`. */
void buildStaticCommand.run(process.argv.slice(2), 'npm run build-static --');
