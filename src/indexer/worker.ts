import { parentPort, workerData } from 'node:worker_threads';
import { runShardJob, type ShardJob } from './job';

/** Worker-thread entry: runs one shard job and posts progress and the result. */
if (parentPort) {
  const port = parentPort;
  runShardJob(workerData as ShardJob, (done) => port.postMessage({ type: 'progress', done }))
    .then((result) => port.postMessage({ type: 'done', result }))
    .catch((err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
}
