import { announceSkip, describeIf, itIf } from './helpers/skip';
import { tempDir } from './helpers/corpus';

describe('skip reasons', () => {
  // The mark is a file in the run's folder, so jest workers (other processes) see it too.
  test('a reason is printed once per run, however many suites or tests skip for it', () => {
    const run = tempDir();
    const saved = process.env.ZHSEARCH_TEST_RUN_DIR;
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      process.env.ZHSEARCH_TEST_RUN_DIR = run.dir;
      expect(describeIf(false, 'no widget here')).toBe(describe.skip);
      expect(itIf(false, 'no widget here')).toBe(it.skip);
      announceSkip('no widget here');
      expect(describeIf(true, 'no gadget here')).toBe(describe);
      announceSkip('no gadget here');
      announceSkip('no gadget here');
    } finally {
      spy.mockRestore();
      process.env.ZHSEARCH_TEST_RUN_DIR = saved;
      run.cleanup();
    }
    expect(writes.map((w) => w.trim())).toEqual(['skipped: no widget here', 'skipped: no gadget here']);
  });
});
