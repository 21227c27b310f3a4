import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A read-only file read by position (`pread`): the operating system's page cache keeps
 * what queries touch, shared by every process on the machine, instead of a copy of the
 * whole file in each process's heap.
 */
export class PositionalFile {
  /** Closes the descriptor of a file nobody holds any more (an engine replaced by a reload). */
  private static readonly closer = new FinalizationRegistry<number>((fd) => {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  });

  private closed = false;

  private constructor(
    /** The path, for messages. */
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
  ) {
    PositionalFile.closer.register(this, fd, this);
  }

  /** Open `path` for reading; the error names the file. */
  static open(path: string): PositionalFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw new Error(`${path} cannot be opened (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return new PositionalFile(path, fd, fstatSync(fd).size);
  }

  /** `length` bytes at `position`, into fresh memory; throws (naming the file) past its end. */
  read(position: number, length: number): Buffer {
    // allocUnsafeSlow: an unpooled buffer of its own, so typed-array views on it start aligned.
    return this.readInto(Buffer.allocUnsafeSlow(Math.max(0, length)), position, length);
  }

  /**
   * `length` bytes at `position` into `into` (from its start), which must be large enough:
   * for bytes decoded at once, so that no memory is allocated per read.
   */
  readInto(into: Buffer, position: number, length: number): Buffer {
    if (this.closed) throw new Error(`${this.path} is closed`);
    if (position < 0 || position + length > this.size || length > into.length) {
      throw new Error(`${this.path} is damaged: ${length} bytes at ${position} lie past its end (${this.size} bytes)`);
    }
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, into, done, length - done, position + done);
      if (n === 0) throw new Error(`${this.path} is damaged: ended after ${position + done} bytes`);
      done += n;
    }
    return into;
  }

  /** Close the descriptor now (later reads throw). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    PositionalFile.closer.unregister(this);
    closeSync(this.fd);
  }
}
