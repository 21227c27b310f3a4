import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tests that cannot run here (no redis-server, no real corpus next to the repository)
 * are skipped, and the reason is printed once per `jest` run however many files or
 * workers hit it. The run folder comes from the global setup (test-run.ts); without it
 * (a file run on its own outside jest's setup) the reason is printed every time.
 */

/** The real corpus used by some tests, when it sits next to the repository. */
export const REAL_CORPUS = join(__dirname, '..', '..', '..', 'shared', 'corpus', 'oped2');

/** True when the real corpus is there. */
export const HAVE_REAL_CORPUS = existsSync(REAL_CORPUS);

/** Print `reason` unless it was printed already in this run. */
export function announceSkip(reason: string): void {
  const runDir = process.env.ZHSEARCH_TEST_RUN_DIR;
  if (runDir) {
    const marker = join(runDir, createHash('sha1').update(reason).digest('hex').slice(0, 16));
    try {
      mkdirSync(runDir, { recursive: true });
      writeFileSync(marker, reason, { flag: 'wx' });
    } catch {
      return; // announced by another file of this run
    }
  }
  process.stderr.write(`\n  skipped: ${reason}\n`);
}

/** `describe` when `runnable`, else `describe.skip` with the reason announced once. */
export function describeIf(runnable: boolean, reason: string): jest.Describe {
  if (runnable) return describe;
  announceSkip(reason);
  return describe.skip;
}

/** `it` when `runnable`, else `it.skip` with the reason announced once. */
export function itIf(runnable: boolean, reason: string): jest.It {
  if (runnable) return it;
  announceSkip(reason);
  return it.skip;
}

/** Suites that need the real corpus (../shared/corpus/oped2). */
export function describeWithCorpus(): jest.Describe {
  return describeIf(HAVE_REAL_CORPUS, `tests on the real corpus: ${REAL_CORPUS} is not there`);
}
