import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodePost } from '../../src';
import type { BuildReport } from '../../src/indexer/build';
import { walkCorpus } from '../../src/ingest/walk';
import { fail, intArg, parseOrExit } from '../lib/cli';
import { rng } from '../lib/random';
import { median } from '../lib/stats';
import { measureWatchLatency } from '../lib/watch-latency';
import { perturb } from './prepare';

/** Posts added and deleted before each timed incremental build. */
export const UPDATE_ADDED = 10;
export const UPDATE_REMOVED = 5;
/** Targets of the update figures, in seconds. */
export const INCREMENTAL_TARGET_S = 1.5;
export const WATCH_TARGET_S = 3;

/** The compiled `npm run build-index` (the same code as `zhsearch build`). */
const BUILD_INDEX = join(__dirname, '..', 'build-index.js');

/** One round of corpus changes: posts copied under new ids, and posts deleted. */
export interface UpdatePlan {
  /** `from` (an existing id) is copied, perturbed, to `to` (a new id). */
  copies: Array<{ from: string; to: string }>;
  deletes: string[];
}

/**
 * The changes of round `round`: `added` new posts copied from distinct existing ones under
 * `bench-updates/round-<round>/`, and `removed` other existing posts deleted. Sources and
 * deletions are drawn without repetition from `ids`, which must hold at least `added + removed` ids.
 */
export function planUpdate(ids: readonly string[], round: number, added: number, removed: number, rand: () => number): UpdatePlan {
  if (ids.length < added + removed) throw new Error(`planUpdate: ${ids.length} posts, need at least ${added + removed}`);
  const pool = [...ids];
  const draw = (): string => pool.splice(Math.floor(rand() * pool.length), 1)[0];
  const copies = Array.from({ length: added }, () => {
    const from = draw();
    return { from, to: `bench-updates/round-${round}/${from.split('/').pop()}` };
  });
  const deletes = Array.from({ length: removed }, draw);
  return { copies, deletes };
}

/** A timed run of the build CLI: wall time of the process and its --json report. */
interface TimedBuild {
  wallMs: number;
  report: BuildReport;
}

/** Run `build-index.js --corpus … --out … --json [--incremental [--merge]]`; rejects naming the failure. */
function timedBuild(corpus: string, out: string, mode: 'full' | 'incremental' | 'merge', timeoutMs: number): Promise<TimedBuild> {
  const flags = { full: [], incremental: ['--incremental'], merge: ['--incremental', '--merge'] }[mode];
  const args = [BUILD_INDEX, '--corpus', corpus, '--out', out, '--json', ...flags];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const wallMs = Math.round(performance.now() - t0);
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`build-index exited with ${signal ?? `code ${code}`}: ${stderr.trim().slice(-500)}`));
      try {
        resolve({ wallMs, report: JSON.parse(stdout) as BuildReport });
      } catch {
        reject(new Error(`build-index printed no JSON report: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

/** The update figures for the bench's JSON output. */
export interface UpdateFigures {
  posts: number;
  /** Full build, corpus copy → index: process wall time and the build's own time. */
  full: { wallMs: number; buildMs: number };
  incremental: {
    added: number;
    removed: number;
    /** Process wall time per round (node start included, as a user waits for it). */
    wallMs: number[];
    /** The build's own time per round. */
    buildMs: number[];
    medianWallMs: number;
    /** Median incremental / full (wall times). */
    ratio: number;
    /** Shards built per round (an update segment is one), and how many there are. */
    shardsBuilt: number[];
    shards: number;
    /** Update segments in the index after each round. */
    segments: number[];
  };
  /** The merging build after the rounds (the segments folded into the merged shards). */
  merge: { wallMs: number; shardsBuilt: number; shards: number };
  watch: { addMs: number[]; deleteMs: number[]; medianAddMs: number; medianDeleteMs: number } | { error: string };
}

/** The update figures, or why they could not be measured. */
export type UpdateOutcome = { ok: true; figures: UpdateFigures } | { ok: false; error: string };

/** Options of {@link measureUpdates}. */
export interface UpdateOptions {
  /** Timed incremental builds (each on top of the last). */
  rounds: number;
  /** Watch-mode write → searchable rounds. */
  watchRounds: number;
  timeoutMs: number;
  /** Progress lines. */
  log: (s: string) => void;
}

/**
 * Index updates on a copy of `source` under `tmp`: a full build with the build CLI, then
 * `rounds` incremental builds each after adding UPDATE_ADDED posts (perturbed copies of
 * existing ones) and deleting UPDATE_REMOVED, then watch mode (scripts/lib/watch-latency).
 * The copy is removed afterwards.
 */
export async function measureUpdates(source: string, tmp: string, options: UpdateOptions): Promise<UpdateOutcome> {
  const corpus = join(tmp, 'updates-corpus');
  const index = join(tmp, 'updates-index');
  try {
    cpSync(source, corpus, { recursive: true });
    const { files } = await walkCorpus(corpus);
    let ids = files.map((f) => f.id);
    options.log(`updates: full build of a copy (${ids.length} files) …`);
    const full = await timedBuild(corpus, index, 'full', options.timeoutMs);
    const rand = rng(20);
    const wallMs: number[] = [];
    const buildMs: number[] = [];
    const shardsBuilt: number[] = [];
    const segments: number[] = [];
    let shards = 0;
    for (let round = 1; round <= options.rounds; round++) {
      const plan = planUpdate(ids, round, UPDATE_ADDED, UPDATE_REMOVED, rand);
      for (const c of plan.copies) {
        const bytes = readFileSync(join(corpus, c.from));
        const decoded = decodePost(bytes);
        const to = join(corpus, c.to);
        mkdirSync(dirname(to), { recursive: true });
        writeFileSync(to, decoded.ok ? perturb(decoded.text, 100 + round, rand) : bytes);
      }
      for (const d of plan.deletes) rmSync(join(corpus, d));
      const gone = new Set(plan.deletes);
      ids = ids.filter((id) => !gone.has(id));
      options.log(`updates: incremental build ${round}/${options.rounds} (+${UPDATE_ADDED} −${UPDATE_REMOVED}) …`);
      const b = await timedBuild(corpus, index, 'incremental', options.timeoutMs);
      if (b.report.mode !== 'incremental') throw new Error(`the incremental build fell back to a full one: ${b.report.fullReason ?? 'no reason given'}`);
      wallMs.push(b.wallMs);
      buildMs.push(b.report.ms);
      shardsBuilt.push(b.report.shards.built);
      shards = b.report.shards.built + b.report.shards.reused;
      segments.push(b.report.segments);
    }
    options.log('updates: merging build …');
    const merged = await timedBuild(corpus, index, 'merge', options.timeoutMs);
    const merge = { wallMs: merged.wallMs, shardsBuilt: merged.report.shards.built, shards: merged.report.shards.built + merged.report.shards.reused };
    options.log(`updates: watch mode, ${options.watchRounds} writes …`);
    let watch: UpdateFigures['watch'];
    try {
      const w = await measureWatchLatency({ corpus, index, rounds: options.watchRounds, timeoutMs: options.timeoutMs });
      const ms = (xs: number[]): number[] => xs.map((x) => Math.round(x));
      watch = { addMs: ms(w.addMs), deleteMs: ms(w.deleteMs), medianAddMs: Math.round(median(w.addMs)), medianDeleteMs: Math.round(median(w.deleteMs)) };
    } catch (err) {
      watch = { error: (err as Error).message };
    }
    const medianWallMs = median(wallMs);
    return {
      ok: true,
      figures: {
        posts: files.length,
        full: { wallMs: full.wallMs, buildMs: full.report.ms },
        incremental: {
          added: UPDATE_ADDED,
          removed: UPDATE_REMOVED,
          wallMs,
          buildMs,
          medianWallMs,
          ratio: Math.round((medianWallMs / full.wallMs) * 1000) / 1000,
          shardsBuilt,
          shards,
          segments,
        },
        merge,
        watch,
      },
    };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    rmSync(corpus, { recursive: true, force: true });
    rmSync(index, { recursive: true, force: true });
  }
}

const s = (ms: number): string => (ms / 1000).toFixed(2);
const list = (xs: number[]): string => xs.map(s).join(', ');

/** The printed lines of the update figures, each beside its target. */
export function renderUpdates(outcome: UpdateOutcome): string[] {
  if (!outcome.ok) return [`index updates: ERROR ${outcome.error}`];
  const f = outcome.figures;
  const i = f.incremental;
  const met = (x: number, target: number): string => (x <= target * 1000 ? 'met' : 'MISSED');
  const lines = [
    `index updates (a copy of the corpus, ${f.posts} files; \`npm run build-index\` processes, wall time from spawn to exit):`,
    `  incremental +${i.added}/−${i.removed}: ${s(i.medianWallMs)} s (median of ${i.wallMs.length}: ${list(i.wallMs)}; in-build ${list(i.buildMs)}; ` +
      `shards built ${i.shardsBuilt.join(', ')}; update segments after each ${i.segments.join(', ')}) — full build ${s(f.full.wallMs)} s, ` +
      `ratio ${i.ratio.toFixed(3)}; target ≤ ${INCREMENTAL_TARGET_S} s: ${met(i.medianWallMs, INCREMENTAL_TARGET_S)}`,
    `  merging build after them (segments folded into the merged shards, as a full build): ${s(f.merge.wallMs)} s, ` +
      `${f.merge.shardsBuilt} of ${f.merge.shards} shards rebuilt`,
  ];
  if ('error' in f.watch) lines.push(`  watch, write → searchable over HTTP: ERROR ${f.watch.error}`);
  else
    lines.push(
      `  watch, write → searchable over HTTP: median ${s(f.watch.medianAddMs)} s (${list(f.watch.addMs)}); target ≤ ${WATCH_TARGET_S} s: ` +
        `${met(f.watch.medianAddMs, WATCH_TARGET_S)}; delete → gone: median ${s(f.watch.medianDeleteMs)} s (${list(f.watch.deleteMs)})`,
    );
  return lines;
}

const USAGE = `usage: npm run bench:updates -- --corpus DIR [--rounds N] [--watch-rounds N] [--json]

The index-update figures of \`npm run bench\` alone: on a temporary copy of DIR, a full
build, N incremental builds after adding ${UPDATE_ADDED} and deleting ${UPDATE_REMOVED} posts (default 3),
then a merging build (--incremental --merge), and watch mode's file write → searchable over HTTP (default 5 rounds).`;

/** Standalone run: `npm run bench:updates -- --corpus DIR`. */
async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          rounds: { type: 'string', default: '3' },
          'watch-rounds': { type: 'string', default: '5' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.corpus) fail('give --corpus DIR\n\n' + USAGE, 2);
  const rounds = intArg(values.rounds, '--rounds', 1, 100);
  const watchRounds = intArg(values['watch-rounds'], '--watch-rounds', 1, 100);
  const tmp = mkdtempSync(join(tmpdir(), 'zhsearch-updates-'));
  try {
    const outcome = await measureUpdates(values.corpus, tmp, {
      rounds,
      watchRounds,
      timeoutMs: 600_000,
      log: (line) => void process.stderr.write(`updates: ${line.replace(/^updates: /, '')}\n`),
    });
    if (values.json) process.stdout.write(JSON.stringify(outcome, null, 2) + '\n');
    else process.stdout.write(renderUpdates(outcome).join('\n') + '\n');
    if (!outcome.ok) process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`updates: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
