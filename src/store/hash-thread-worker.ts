import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import type { CheckReply, CheckRequest } from './hash-thread';

/**
 * Worker-thread side of {@link checkFileOffThread}: checksum each file asked for, in order,
 * through one reused buffer (no allocation per chunk, so no garbage for the caller's
 * thread to collect either).
 */
const CHUNK = 1 << 20;
const buffer = Buffer.allocUnsafe(CHUNK);
const port = parentPort!;

port.on('message', (req: CheckRequest) => {
  let reply: CheckReply;
  try {
    const fd = openSync(req.path, 'r');
    try {
      let crc = 0;
      let bytes = 0;
      for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) {
        crc = crc32(buffer.subarray(0, n), crc);
        bytes += n;
      }
      reply = { id: req.id, bytes, crc32: crc };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { id: req.id, error: e.message, code: e.code };
  }
  port.postMessage(reply);
});
