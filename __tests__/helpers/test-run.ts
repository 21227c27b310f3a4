import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Jest's global setup and teardown: a folder for this run, where helpers/skip.ts marks
 * the skip reasons already printed. Workers inherit the variable.
 */
export default function setup(): void {
  process.env.ZHSEARCH_TEST_RUN_DIR = mkdtempSync(join(tmpdir(), 'zhsearch-run-'));
}

/** Remove the run folder. */
export function teardown(): void {
  const dir = process.env.ZHSEARCH_TEST_RUN_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
