import { parentPort } from 'node:worker_threads';
import { runShardJob, type ShardJob } from './job';

/**
 * Worker-thread entry: runs the shard jobs it is sent, one at a time (jieba is loaded
 * once per worker), and posts progress and each result.
 */
if (parentPort) {
  const port = parentPort;
  port.on('message', (job: ShardJob) => {
    runShardJob(job, (done) => port.postMessage({ type: 'progress', shard: job.shard, done }))
      .then((result) => {
        // Transfer, not copy, the posting arrays (tens of MB).
        const buffers = [result.bigrams, result.titleBigrams].flatMap((b) => [
          b.keys.buffer,
          b.offsets.buffer,
          b.docs.buffer,
          b.tfs.buffer,
        ]);
        port.postMessage({ type: 'done', shard: job.shard, result }, buffers as ArrayBuffer[]);
      })
      .catch((err: unknown) =>
        port.postMessage({ type: 'error', shard: job.shard, message: err instanceof Error ? err.message : String(err) }),
      );
  });
}
