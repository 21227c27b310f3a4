import { parentPort } from 'node:worker_threads';
import { CHUNK, checkFile, type CheckReply, type CheckRequest } from './checksum-thread';

/**
 * Worker-thread side of {@link checkFileOffThread}: check each file asked for, in order,
 * through one reused buffer (no allocation per chunk, so no garbage for the caller's
 * thread to collect either).
 */
const buffer = Buffer.allocUnsafe(CHUNK);
const port = parentPort!;

port.on('message', (req: CheckRequest) => {
  let reply: CheckReply;
  try {
    reply = { id: req.id, ...checkFile(req.path, buffer) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { id: req.id, error: e.message, code: e.code };
  }
  port.postMessage(reply);
});
