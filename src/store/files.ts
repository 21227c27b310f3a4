import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { IndexSource, VersionReader } from './backend';
import { checkedReader, checkFormat, checkLocalFile, checksum } from './checked-read';
import { readLocalChecks, writeLocalChecks } from './local-checks';
import { processAlive } from './lock';
import type { FileChecksum, Manifest } from '../format/manifest';

export type { VersionReader } from './backend';

/**
 * Index folder layout (crash-safe by construction):
 *
 *   <indexDir>/CURRENT        name of the live version folder (replaced atomically by rename)
 *   <indexDir>/v-<time>-<rand>/manifest.json, shard-N.docs.json.gz, shard-N.flex.gz, vocab.json.gz
 *   <indexDir>/v-<time>-<rand>.<pid>.tmp/   a version being written by process <pid>
 *   <indexDir>/BUILD.lock     held while a build writes (store/lock.ts)
 *
 * A build writes a new version folder completely, fsyncs it, and only then points
 * CURRENT at it, so a crash at any moment leaves the previous index live and complete.
 * Readers never look at a folder CURRENT does not name.
 */

const gzipAsync = promisify(gzip);

const CURRENT = 'CURRENT';

/** Writes the files of one new index version. */
export class VersionWriter {
  readonly files: Record<string, FileChecksum> = {};
  /** The version CURRENT named before {@link commit} replaced it (null: none, or not committed yet). */
  replaced: string | null = null;
  private constructor(
    readonly indexDir: string,
    readonly name: string,
    readonly dir: string,
  ) {}

  /** Create a fresh, empty version folder under `indexDir`. */
  static async create(indexDir: string): Promise<VersionWriter> {
    await fs.mkdir(indexDir, { recursive: true });
    const name = `v-${Date.now()}-${randomBytes(3).toString('hex')}`;
    // The PID in the name tells clean-up whose folder it is (see pruneVersions).
    const dir = join(indexDir, `${name}.${process.pid}.tmp`);
    await fs.mkdir(dir);
    return new VersionWriter(indexDir, name, dir);
  }

  /** Gzip and write one file, recording its checksum. */
  async writeGzip(file: string, content: string | Buffer, level = 6): Promise<void> {
    this.files[file] = await writeGzipFile(join(this.dir, file), content, level);
  }

  /** Write one uncompressed file (read by position at query time), recording its checksum. */
  async writeRaw(file: string, content: Buffer): Promise<void> {
    this.files[file] = await writeRawFile(join(this.dir, file), content);
  }

  /** Record files written into {@link dir} by someone else (a build worker). */
  addFiles(files: Record<string, FileChecksum>): void {
    Object.assign(this.files, files);
  }

  /** Write the manifest, move the folder into place and point CURRENT at it. */
  async commit(manifest: Omit<Manifest, 'files'>): Promise<string> {
    const full: Manifest = { ...manifest, buildId: manifest.buildId ?? randomBytes(8).toString('hex'), files: this.files };
    await writeLocalChecks(this.dir, this.files);
    await writeDurable(join(this.dir, 'manifest.json'), Buffer.from(JSON.stringify(full, null, 2)));
    const final = join(this.indexDir, this.name);
    this.replaced = await readCurrent(this.indexDir).catch(() => null);
    crashPoint('before-rename');
    await fs.rename(this.dir, final);
    await fsyncDir(this.indexDir);
    crashPoint('before-swap');
    const tmp = join(this.indexDir, `${CURRENT}.${randomBytes(3).toString('hex')}.${process.pid}.tmp`);
    await writeDurable(tmp, Buffer.from(`${this.name}\n`));
    await fs.rename(tmp, join(this.indexDir, CURRENT));
    await fsyncDir(this.indexDir);
    return final;
  }

  /** Remove the unfinished folder (after a failed build). */
  async abort(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

const VERSION_RE = /^v-\d+-[0-9a-f]+$/;
/** `….<pid>.tmp`: an unfinished version folder or CURRENT swap file, and the process writing it. */
const TMP_RE = /\.(\d+)\.tmp$/;

/**
 * Fault injection for the crash tests: with ZHSEARCH_CRASH_AT set to a step's name, the
 * process kills itself with SIGKILL there, so a kill lands exactly between two steps
 * of a commit rather than wherever a timer happens to fall.
 */
function crashPoint(step: 'before-rename' | 'before-swap'): void {
  if (process.env.ZHSEARCH_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * Delete version folders other than the live one and the one before it (a reader may
 * still be loading that), and leftovers of crashed builds. `previous` is the version
 * that was live before the build that calls this (VersionWriter.replaced); without it,
 * the newest version older than the live one is kept. A complete version newer than the
 * live one was left by a build killed before its swap of CURRENT: it is a leftover, not
 * the previous version. Unfinished folders of a process that still runs are not touched.
 * Best effort; without a readable CURRENT nothing is deleted.
 */
export async function pruneVersions(indexDir: string, previous?: string | null): Promise<void> {
  const live = await readCurrent(indexDir).catch(() => null);
  if (!live) return;
  const entries = await fs.readdir(indexDir).catch(() => [] as string[]);
  const versions = entries.filter((e) => VERSION_RE.test(e)).sort();
  const keep = new Set([live]);
  const before = previous && previous !== live && versions.includes(previous) ? previous : versions.filter((v) => v < live).pop();
  if (before) keep.add(before);
  for (const e of entries) {
    let stale = VERSION_RE.test(e) && !keep.has(e);
    if (e.endsWith('.tmp')) {
      const owner = TMP_RE.exec(e);
      stale = !owner || Number(owner[1]) === process.pid || !processAlive(Number(owner[1]));
    }
    if (stale) await fs.rm(join(indexDir, e), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Name of the live version folder, or a clear error when there is no index. */
export async function readCurrent(indexDir: string): Promise<string> {
  let name: string;
  try {
    name = (await fs.readFile(join(indexDir, CURRENT), 'utf8')).trim();
  } catch {
    throw new Error(`no index in ${indexDir}: build one first (npm run build-index -- --corpus DIR --out ${indexDir})`);
  }
  if (!VERSION_RE.test(name)) {
    // Whatever bytes CURRENT holds, only printable ASCII reaches a message or a log.
    const shown = name.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');
    throw new Error(`index ${indexDir} is damaged: CURRENT names "${shown}", not a version folder; rebuild it`);
  }
  return name;
}

/** The file backend as an {@link IndexSource}: the live version of `indexDir`. */
export function fileSource(indexDir: string): IndexSource {
  return { label: indexDir, open: () => openVersion(indexDir) };
}

/** Open the live version of `indexDir`, checking format version and checksums. */
export async function openVersion(indexDir: string): Promise<VersionReader> {
  const dir = join(indexDir, await readCurrent(indexDir));
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (err) {
    throw new Error(`index ${dir} has no readable manifest.json (${(err as Error).message}); rebuild it`);
  }
  checkFormat(manifest, dir);
  const recorded = await readLocalChecks(dir);
  const fetch = async (file: string): Promise<Buffer> => {
    try {
      return await fs.readFile(join(dir, file));
    } catch (err) {
      throw new Error(`index ${dir} is damaged: ${file} cannot be read (${(err as NodeJS.ErrnoException).code}); rebuild it`);
    }
  };
  return {
    dir,
    manifest,
    ...checkedReader(dir, manifest, fetch),
    localFile: (file) => checkLocalFile(dir, manifest, file, join(dir, file), recorded.get(file)),
  };
}

/**
 * Write the version `reader` opened (of any backend) into `indexDir` as a file index of
 * its own: a version folder with every file the manifest lists, and CURRENT naming it.
 * Files are hard-linked from the reader's local copies where it has them (a network
 * store's cache folder), copied otherwise. Returns the version folder.
 */
export async function copyVersion(reader: VersionReader, indexDir: string): Promise<string> {
  const writer = await VersionWriter.create(indexDir);
  const { files, ...manifest } = reader.manifest;
  for (const file of Object.keys(files)) {
    const from = await reader.localFile(file);
    await linkOrCopy(from, join(writer.dir, file));
  }
  writer.addFiles(files);
  return writer.commit(manifest);
}

/** Hard-link `from` as `to` (index files are never written in place), or copy it across file systems. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch {
    await fs.copyFile(from, to);
  }
}

/** Write `content` into `path` durably as it is; returns the checksum for the manifest. */
export async function writeRawFile(path: string, content: Buffer): Promise<FileChecksum> {
  await writeDurable(path, content);
  return checksum(content);
}

/** Gzip `content` into `path` durably; returns the checksum for the manifest. */
export async function writeGzipFile(path: string, content: string | Buffer, level = 6): Promise<FileChecksum> {
  const bytes = await gzipAsync(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, { level });
  await writeDurable(path, bytes);
  return checksum(bytes);
}

async function writeDurable(path: string, bytes: Buffer): Promise<void> {
  const fh = await fs.open(path, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
