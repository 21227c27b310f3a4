import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** File name endings read as posts. */
export const POST_EXTENSIONS = ['.md', '.markdown', '.html', '.htm'];

/** One post file found in a corpus. */
export interface CorpusFile {
  /** Path relative to the corpus root with POSIX separators: the document id. */
  id: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** A path the walk could not use, and why. */
export interface WalkProblem {
  path: string;
  reason: string;
}

/** Files stat'ed at once while walking a folder. */
const STAT_BATCH = 256;

/**
 * List post files below `root`, sorted by id. Symbolic links are followed once:
 * a link back into a folder already visited (a loop) is reported, not followed.
 */
export async function walkCorpus(root: string): Promise<{ files: CorpusFile[]; problems: WalkProblem[] }> {
  const files: CorpusFile[] = [];
  const problems: WalkProblem[] = [];
  const seenDirs = new Set<string>();
  const rootStat = await fs.stat(root).catch(() => null);
  if (!rootStat || !rootStat.isDirectory()) throw new Error(`corpus folder ${root} does not exist or is not a folder`);

  const stack: string[] = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (err) {
      problems.push({ path: relId(root, dir), reason: `cannot resolve folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    if (seenDirs.has(real)) {
      problems.push({ path: relId(root, dir), reason: 'symbolic link loop (folder already visited): skipped' });
      continue;
    }
    seenDirs.add(real);
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch (err) {
      problems.push({ path: relId(root, dir), reason: `cannot read folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    const names = entries.filter((name) => !name.startsWith('.'));
    // Stats run in batches: one at a time, each waits a thread-pool round trip (about
    // 8 times slower over a folder of thousands of posts).
    for (let at = 0; at < names.length; at += STAT_BATCH) {
      const batch = names.slice(at, at + STAT_BATCH);
      const stats = await Promise.all(batch.map((name) => fs.stat(join(dir, name)).catch((err: NodeJS.ErrnoException) => err)));
      batch.forEach((name, i) => {
        const path = join(dir, name);
        const st = stats[i];
        if (st instanceof Error) {
          const code = st.code;
          if (hasPostExtension(name) || code === 'ELOOP') {
            problems.push({
              path: relId(root, path),
              reason: code === 'ELOOP' ? 'symbolic link loop: skipped' : `cannot stat: ${code ?? String(st)}`,
            });
          }
          return;
        }
        if (st.isDirectory()) stack.push(path);
        else if (st.isFile() && hasPostExtension(name)) {
          files.push({ id: relId(root, path), path, size: st.size, mtimeMs: st.mtimeMs });
        }
      });
    }
  }
  files.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { files, problems };
}

function hasPostExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return POST_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function relId(root: string, path: string): string {
  // Paths below the walk's root start with it: slicing skips path.relative's resolving.
  const rel = path.startsWith(root + sep) ? path.slice(root.length + 1) : relative(root, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}
