/** The value `fn` throws, so a test can match its fields with `toMatchObject`; fails when nothing is thrown. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}
