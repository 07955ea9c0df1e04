/**
 * The memory of this process's child processes (the browser a command-line tool starts, and its
 * renderer, GPU and utility processes), sampled from /proc: Linux only, for the tools' figures.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Summed resident set (bytes) of every process descended from this one; null where /proc is absent. */
export function descendantsRss(): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const pid of entries) {
    try {
      // the command name may hold spaces and parentheses: fields start after the last ")"
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(pid), Number(fields[1]));
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status);
      rss.set(Number(pid), kb ? Number(kb[1]) * 1024 : 0);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    let up = parent.get(pid);
    while (up !== undefined && up > 1 && up !== process.pid) up = parent.get(up);
    if (up === process.pid) total += bytes;
  }
  return total;
}

/** Samples descendantsRss every `ms` and keeps the peak since the last reset. */
export class PeakMemory {
  private peak = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(ms = 250) {
    this.timer = setInterval(() => this.sample(), ms);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, descendantsRss() ?? 0);
  }

  /** The peak since the last call (sampling once more now), and start a new period. */
  take(): number {
    this.sample();
    const p = this.peak;
    this.peak = 0;
    return p;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
