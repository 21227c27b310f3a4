import { serve } from '../src/cli/serve';

/** `npm start`: `zhsearch serve --corpus corpus` (build the bundled corpus when needed, then serve it). */
void serve.run(['--corpus', process.env.CORPUS_DIR || 'corpus', ...process.argv.slice(2)], 'npm start --');
