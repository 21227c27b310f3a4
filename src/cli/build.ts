import { buildRedisIndex, type RedisBuildReport } from '../indexer/build-redis';
import { checkIndexName } from '../store/index-name';
import { buildIndex, type BuildProgress, type BuildReport } from '../indexer/build';
import { watchCorpus } from '../indexer/watch';
import { SEGMENTER_BACKENDS, type SegmenterBackend } from '../analysis/segmenter';
import { fail, intFlag, parseFlags } from './args';
import type { Command } from './command';

const usage = (
  prog: string,
): string => `usage: ${prog} --corpus DIR --out DIR [--incremental [--merge]] [--watch] [--user-dict FILE] [--segmenter nodejieba|@node-rs/jieba] [--workers N] [--max-text-chars N] [--json]
       ${prog} --backend redis --redis-url URL --name NAME [--grace-seconds N] [same options but --watch]

Builds a zhsearch index of the posts under --corpus (default $CORPUS_DIR or corpus/)
into --out (default $INDEX_DIR or index-data/), or with --backend redis into Redis as a
new version of index NAME (default $INDEX_NAME; --redis-url defaults to $REDIS_URL),
pointed to by NAME:current when complete (servers with REDIS_URL and INDEX_NAME follow
it; the old version is dropped after --grace-seconds, default 300). Only one build per
NAME runs at a time. Bad posts are reported and skipped; the previous index stays live
until the new one is complete. Exits non-zero only when nothing could be indexed.

--incremental  update the index in --out (or the live Redis version) with what was added,
               changed or deleted: a small change becomes an update segment (plus deletions)
               beside the merged shards; past a few segments the update merges them (the
               result of a full build). Redis readers then fetch only the segment's files
--merge        with --incremental: merge the segments now
--watch        build, then keep watching --corpus and update the index incrementally
--json         print the build report as JSON`;

/** `zhsearch build`: index a folder of posts into a folder (or Redis). */
export const build: Command = { name: 'build', run };

async function run(argv: string[], prog: string): Promise<void> {
  const { values } = parseFlags(
    argv,
    {
      corpus: { type: 'string', default: process.env.CORPUS_DIR || 'corpus' },
      out: { type: 'string', default: process.env.INDEX_DIR || 'index-data' },
      'user-dict': { type: 'string' },
      segmenter: { type: 'string' },
      workers: { type: 'string' },
      'max-text-chars': { type: 'string' },
      backend: { type: 'string', default: 'file' },
      'redis-url': { type: 'string', default: process.env.REDIS_URL },
      name: { type: 'string', default: process.env.INDEX_NAME },
      'grace-seconds': { type: 'string' },
      json: { type: 'boolean', default: false },
      incremental: { type: 'boolean', default: false },
      merge: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
    },
    usage(prog),
  );
  const workers = intFlag(values.workers, '--workers', 0, undefined, 1);
  const maxTextChars = intFlag(values['max-text-chars'], '--max-text-chars', 1, undefined, 1);

  const segmenter = values.segmenter;
  if (segmenter !== undefined && !(SEGMENTER_BACKENDS as readonly string[]).includes(segmenter)) {
    fail(`--segmenter must be one of ${SEGMENTER_BACKENDS.join(', ')}`);
  }
  if (values.backend !== 'file' && values.backend !== 'redis') fail('--backend must be file or redis');
  const redis = values.backend === 'redis';
  if (redis) {
    if (!values['redis-url']) fail('--redis-url (or REDIS_URL) is needed with --backend redis, e.g. redis://127.0.0.1:6379');
    if (!values.name) fail('--name (or INDEX_NAME) is needed with --backend redis');
    try {
      checkIndexName(values.name);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  const grace = intFlag(values['grace-seconds'], '--grace-seconds', 1, undefined, 1);
  if (redis && values.watch) fail('--watch works with the file backend only', 2);
  if (values.merge && !values.incremental) fail('--merge goes with --incremental', 2);
  if (values.watch) {
    const watcher = watchCorpus({
      corpus: values.corpus,
      out: values.out,
      userDict: values['user-dict'],
      segmenter: segmenter as SegmenterBackend | undefined,
      workers,
      maxTextChars,
      onBuild: (r) => {
        if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
        else printReport(r);
      },
      onError: (err) => process.stderr.write(`error: ${err.message} (the previous index stays live)\n`),
    });
    await watcher.ready.catch((err: Error) => fail(err.message));
    process.stderr.write(`watching ${values.corpus} (Ctrl-C to stop)\n`);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => void watcher.close().then(() => process.exit(0)));
    }
    return;
  }
  const progress = progressPrinter();
  let report: BuildReport;
  try {
    const common = {
      corpus: values.corpus,
      userDict: values['user-dict'],
      segmenter: segmenter as SegmenterBackend | undefined,
      workers,
      maxTextChars,
      incremental: values.incremental,
      merge: values.merge,
      onProgress: progress.update,
    };
    report = redis
      ? await buildRedisIndex({ ...common, redisUrl: values['redis-url'] ?? '', name: values.name ?? '', graceMs: grace && grace * 1000 })
      : await buildIndex({ ...common, out: values.out });
  } catch (err) {
    progress.done();
    fail((err as Error).message);
  }
  progress.done();
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else printReport(report);
  if (report.indexed === 0) process.exit(1);
}

function printReport(r: BuildReport | RedisBuildReport): void {
  const out = process.stdout;
  const uploaded =
    'uploadedBytes' in r && !r.upToDate
      ? ` (${(r.uploadedBytes / 1e6).toFixed(1)} MB uploaded, the rest already in Redis; ${r.collectedBlobs} blobs no version lists deleted)`
      : '';
  const size = r.dir.startsWith('redis')
    ? `document store and postings ${(r.bytes / 1e6).toFixed(1)} MB${uploaded}, word index in FlexSearch's Redis sets,`
    : `index ${(r.bytes / 1e6).toFixed(1)} MB`;
  out.write(`indexed ${r.indexed} documents in ${(r.ms / 1000).toFixed(1)} s; ${size} in ${r.dir}\n`);
  const c = r.changes;
  out.write(
    `${r.mode} build: ${c.added} added, ${c.changed} changed, ${c.removed} removed, ${c.unchanged} unchanged; ` +
      `${r.shards.built} shards built, ${r.shards.reused} reused; ${r.duplicateGroups} duplicate groups\n`,
  );
  if (r.fullReason) out.write(`(full build: ${r.fullReason})\n`);
  if (r.upToDate) out.write('the index was up to date: no new version written\n');
  if (r.segments > 0) {
    out.write(
      `${r.segments} update segment${r.segments === 1 ? '' : 's'} beside the merged shards${r.mergeDue ? ' (merge due: --incremental --merge)' : ''}\n`,
    );
  }
  const b = r.boilerplate;
  out.write(
    `boilerplate: ${b.blocks} blocks (${(b.chars / 1000).toFixed(0)} k characters) left out of ${b.posts} posts; template lines found in ${b.sources} sources\n`,
  );
  if (b.top.length > 0) {
    out.write('most removed template blocks (posts):\n');
    for (const t of b.top) out.write(`  ${String(t.count).padStart(6)}  ${t.source}  ${JSON.stringify(t.text)}\n`);
  }
  if (r.skipped.length > 0) {
    out.write(`skipped ${r.skipped.length} files:\n`);
    for (const s of r.skipped) out.write(`  ${s.path}: ${s.reason}\n`);
  }
  if (r.warnings.length > 0) {
    out.write(`${r.warnings.length} warnings:\n`);
    for (const w of r.warnings) out.write(`  ${w.path}: ${w.reason}\n`);
  }
}

/** A one-line progress bar on a terminal, a log line every ~10 % otherwise. */
function progressPrinter(): { update: (p: BuildProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  const start = Date.now();
  let lastDecile = -1;
  let drawn = false;
  return {
    update: ({ done, total }) => {
      const secs = (Date.now() - start) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const eta = rate > 0 ? (total - done) / rate : 0;
      if (tty) {
        const width = 30;
        const filled = total > 0 ? Math.round((done / total) * width) : width;
        process.stderr.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(0)} docs/s  ETA ${eta.toFixed(0)} s `,
        );
        drawn = true;
      } else {
        const decile = total > 0 ? Math.floor((done / total) * 10) : 10;
        if (decile !== lastDecile) {
          lastDecile = decile;
          process.stderr.write(`build: ${done}/${total} documents, ${rate.toFixed(0)} docs/s, ETA ${eta.toFixed(0)} s\n`);
        }
      }
    },
    done: () => {
      if (drawn) process.stderr.write('\n');
    },
  };
}
