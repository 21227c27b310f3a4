import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-thread';

/**
 * Worker-thread side of {@link hashFileOffThread}: hash each file asked for, in order,
 * through one reused buffer (no allocation per chunk, so no garbage for the caller's
 * thread to collect either).
 */
const CHUNK = 1 << 20;
const buffer = Buffer.allocUnsafe(CHUNK);
const port = parentPort!;

port.on('message', (req: HashRequest) => {
  let reply: HashReply;
  try {
    const fd = openSync(req.path, 'r');
    try {
      const hash = createHash('sha256');
      let bytes = 0;
      for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) {
        hash.update(buffer.subarray(0, n));
        bytes += n;
      }
      reply = { id: req.id, bytes, sha256: hash.digest('hex') };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { id: req.id, error: e.message, code: e.code };
  }
  port.postMessage(reply);
});
