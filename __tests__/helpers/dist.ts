import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root and the compiled scripts (`npm run build`). */
export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist', 'scripts');

/** True when every .ts under src/ and scripts/ has a compiled .js in dist/ at least as new. */
export function distIsFresh(): boolean {
  const stack = [join(ROOT, 'src'), join(ROOT, 'scripts')];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) stack.push(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = join(ROOT, 'dist', relative(ROOT, path)).replace(/\.ts$/, '.js');
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(path).mtimeMs) return false;
      }
    }
  }
  return true;
}

const LOCK = join(ROOT, 'dist', '.build-lock');

/**
 * Compile src/ and scripts/ into dist/ unless it is already up to date. Several test
 * files run this at once in parallel jest workers: a lock folder makes one compile and
 * the others wait, so no script is started from a half-written dist/.
 */
export function ensureDist(): void {
  if (distIsFresh()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a killed run goes stale after two minutes.
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > 120_000) rmdirSync(LOCK);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!distIsFresh()) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        stdio: 'pipe',
      });
    }
  } finally {
    rmdirSync(LOCK);
  }
}

/** The outcome of a finished script run. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a compiled script (`dist/scripts/<script>`) to completion. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runNode(join(DIST, script), args, { env: { ...process.env, ...env } });
}

/** Run `node FILE ARGS` from the repository root to completion, collecting its output. */
export function runNode(file: string, args: string[], options: Omit<SpawnOptions, 'cwd' | 'stdio'> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env: process.env, ...options, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export { spawnServe, type LogLine, type ServeProcess } from '../../scripts/lib/serve-process';
