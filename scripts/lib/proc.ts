import { readFileSync } from 'node:fs';

/** Resident set size of process `pid` in MB, from /proc (NaN where /proc is not available). */
export function processRssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}
