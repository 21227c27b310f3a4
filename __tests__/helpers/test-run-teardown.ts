import { teardown } from './test-run';

/** Jest's global teardown (see test-run.ts). */
export default teardown;
