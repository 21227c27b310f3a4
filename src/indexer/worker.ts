import { parentPort } from 'node:worker_threads';
import { runBuildJob, type BuildJob } from './job';

/**
 * Worker-thread entry: runs the build jobs it is sent (parse or index), one at a time
 * (jieba is loaded once per worker), and posts progress and each result.
 */
if (parentPort) {
  const port = parentPort;
  port.on('message', (job: BuildJob) => {
    runBuildJob(job, (done) => port.postMessage({ type: 'progress', shard: job.shard, done }))
      .then((result) => {
        if (!('bigrams' in result)) {
          port.postMessage({ type: 'done', shard: job.shard, result });
          return;
        }
        // Transfer, not copy, the posting arrays (tens of MB).
        const buffers = [result.bigrams, result.titleBigrams].flatMap((b) => [
          b.keys.buffer,
          b.offsets.buffer,
          b.docs.buffer,
          b.tfs.buffer,
        ]);
        buffers.push(result.words.offsets.buffer, result.words.docs.buffer);
        port.postMessage({ type: 'done', shard: job.shard, result }, buffers as ArrayBuffer[]);
      })
      .catch((err: unknown) =>
        port.postMessage({ type: 'error', shard: job.shard, message: err instanceof Error ? err.message : String(err) }),
      );
  });
}
