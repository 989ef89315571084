import { readdirSync, readFileSync } from 'node:fs';

/** Memory of one process from /proc (Linux), in MB. */
export interface ProcessMemory {
  pid: number;
  rssMb: number;
  /** Peak RSS since the process started. */
  hwmMb: number;
  /** Proportional set size: shared pages divided among their users, so a sum over processes adds up. */
  pssMb: number;
}

function kb(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) / 1024 : 0;
}

export function memoryOf(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  let pss = 0;
  try {
    pss = kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
  } catch {
    // smaps_rollup needs Linux 4.14+; RSS alone is still reported.
  }
  return { pid, rssMb: kb(status, 'VmRSS'), hwmMb: kb(status, 'VmHWM'), pssMb: pss };
}

/** pid → { parent pid, command line } of every process we may read. */
function processTable(): Map<number, { ppid: number; cmd: string }> {
  const table = new Map<number, { ppid: number; cmd: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name in parentheses may contain spaces: the fields after the last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      table.set(Number(entry), { ppid, cmd });
    } catch {
      // The process ended while we looked.
    }
  }
  return table;
}

/** Every descendant of `root` (children, grandchildren, …) with its command line. */
export function descendants(root: number): { pid: number; cmd: string }[] {
  const table = processTable();
  const out: { pid: number; cmd: string }[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, p] of table) {
      if (p.ppid === parent) {
        out.push({ pid, cmd: p.cmd });
        queue.push(pid);
      }
    }
  }
  return out;
}
