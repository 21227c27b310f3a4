import { parentPort, workerData } from 'node:worker_threads';
import { watchCorpus, type WatchOptions } from './watch';

/**
 * Worker-thread entry of {@link watchInWorker}: watches and builds off the main thread
 * and reports each build. Serializable options only (callbacks stay in the main thread).
 */
if (parentPort) {
  const port = parentPort;
  const watcher = watchCorpus({
    ...(workerData as WatchOptions),
    onBuild: (report) => port.postMessage({ type: 'built', report }),
    onError: (err) => port.postMessage({ type: 'error', message: err.message }),
  });
  watcher.ready.then(
    (report) => port.postMessage({ type: 'ready', report }),
    (err: Error) => port.postMessage({ type: 'failed', message: err.message }),
  );
  port.on('message', (msg: { type: string }) => {
    if (msg.type === 'close') void watcher.close().then(() => port.postMessage({ type: 'closed' }));
  });
}
