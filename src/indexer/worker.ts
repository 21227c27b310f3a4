import { parentPort } from 'node:worker_threads';
import { getSegmenter } from '../analysis/segmenter';
import { runBuildJob, type BuildJob } from './job';
import type { WarmOptions } from './pool';

/**
 * Worker-thread entry of a {@link BuildPool}: runs the build jobs it is sent (parse or
 * index), one at a time, and posts progress and each result. A `warm` message loads the
 * segmenter ahead of the first index job (it stays loaded for the worker's life).
 */
if (parentPort) {
  const port = parentPort;
  port.on('message', (job: BuildJob | ({ kind: 'warm' } & WarmOptions)) => {
    if (job.kind === 'warm') {
      try {
        getSegmenter({ backend: job.segmenter, userDict: job.userDict });
      } catch {
        // The index job that needs it reports the failure, with its shard.
      }
      return;
    }
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
