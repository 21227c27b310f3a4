import { parentPort, workerData } from 'node:worker_threads';
import { runShardJob, type ShardJob } from './job';

/** Worker-thread entry: runs one shard job and posts progress and the result. */
if (parentPort) {
  const port = parentPort;
  runShardJob(workerData as ShardJob, (done) => port.postMessage({ type: 'progress', done }))
    .then((result) => {
      // Transfer, not copy, the posting arrays (tens of MB).
      const buffers = [result.bigrams, result.titleBigrams].flatMap((b) => [b.keys.buffer, b.offsets.buffer, b.docs.buffer, b.tfs.buffer]);
      port.postMessage({ type: 'done', result }, buffers as ArrayBuffer[]);
    })
    .catch((err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
}
