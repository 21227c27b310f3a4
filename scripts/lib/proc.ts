import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of process `pid` in MB, from /proc (NaN where /proc is not available). */
export function processRssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is none. */
export function processCpuSeconds(pid: number): number {
  try {
    // After the command name, which is in parentheses and may hold spaces and parentheses
    // itself: state is the 1st field there, utime and stime the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/**
 * Memory of process `pid` and all its descendants, in MB: the sum of their resident set
 * sizes (pages shared between them counted once per process), and of their proportional
 * set sizes (a shared page divided among its sharers, so the sum is what the tree holds).
 * NaN where /proc is not available.
 */
export function processTreeMemoryMB(pid: number): { rss: number; pss: number } {
  try {
    let rss = 0;
    let pss = 0;
    for (const p of [pid, ...descendantPids(pid)]) {
      const s = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(s)?.[1] ?? NaN);
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(s)?.[1] ?? NaN);
    }
    return { rss: Math.round(rss / 1024), pss: Math.round(pss / 1024) };
  } catch {
    return { rss: NaN, pss: NaN };
  }
}

/** Every process whose parent chain leads to `pid`, from /proc/N/stat. */
export function descendantPids(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, ppid] of parent) {
      if (ppid === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}
