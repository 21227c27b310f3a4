export { parseOrExit, fail } from '../../src/cli/args';
