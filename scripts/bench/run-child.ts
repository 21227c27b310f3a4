import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SPAWN_ENV, type ChildOutput } from './protocol';

/** What a benchmark child produced: its result, or why there is none. */
export type ChildResult<T> = { ok: true; result: T } | { ok: false; error: string };

/** Children still running, killed when the bench stops early. */
export const running = new Set<ChildProcess>();

/** SIGKILL every child still running. */
export function killAll(): void {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** Start a benchmark child and wait for its result file; a hard time limit kills it. */
export function runChild<T>(dir: string, name: string, mode: string, args: string[], timeoutMs: number): Promise<ChildResult<T>> {
  const resultFile = join(dir, `${name}-${mode}.result.json`);
  const script = join(__dirname, `${name}.js`);
  return new Promise((resolvePromise) => {
    let settled = false;
    const settle = (r: ChildResult<T>): void => {
      if (!settled) {
        settled = true;
        resolvePromise(r);
      }
    };
    const t0 = Date.now();
    const proc = spawn(process.execPath, [script, mode, resultFile, ...args], {
      stdio: ['ignore', 2, 2], // a child's output goes to our stderr: stdout stays clean for --json
      env: { ...process.env, [SPAWN_ENV]: String(t0) },
    });
    running.add(proc);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.on('error', (err) => {
      clearTimeout(timer);
      running.delete(proc);
      settle({ ok: false, error: `cannot start ${script}: ${err.message}` });
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(proc);
      if (timedOut) return settle({ ok: false, error: `timed out after ${timeoutMs / 60_000} min (killed)` });
      let output: ChildOutput<T> | null = null;
      try {
        output = JSON.parse(readFileSync(resultFile, 'utf8')) as ChildOutput<T>;
        rmSync(resultFile, { force: true });
      } catch {
        output = null;
      }
      if (code === 0 && output?.ok) settle({ ok: true, result: output.result });
      else if (output && !output.ok) settle({ ok: false, error: output.error });
      else settle({ ok: false, error: signal ? `killed by ${signal}` : `exited with code ${code} and no result` });
    });
  });
}
