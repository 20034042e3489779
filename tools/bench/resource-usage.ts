import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU seconds used so far by each component, and the machine's busy and total CPU seconds. */
export interface CpuSnapshot {
  at: number;
  components: Map<string, number>;
  machineBusy: number;
  machineTotal: number;
}

/** What each component used between two snapshots, as a share of one core over the wall time. */
export interface CpuUsage {
  wallMs: number;
  /** Percent of one core per component (200 = both cores of a 2-core machine). */
  coresPercent: Record<string, number>;
  /** Percent of all the machine's cores that were busy, whoever used them. */
  machineBusyPercent: number;
  cores: number;
}

const TICKS_PER_SECOND = 100;

/**
 * Reads the CPU time of named processes from /proc (Linux). PostgreSQL counts the postmaster and
 * every backend, including the time of backends that have exited (the postmaster's reaped
 * children), so short-lived connections are not lost; it is machine-wide, not the benchmark's alone.
 */
export function cpuSnapshot(pidsOf: Record<string, readonly number[]>): CpuSnapshot {
  const components = new Map<string, number>();
  for (const [name, pids] of Object.entries(pidsOf)) {
    components.set(
      name,
      pids.reduce((sum, pid) => sum + processSeconds(pid, false), 0),
    );
  }
  const postmaster = pgrep(['-x', 'postgres']).sort((a, b) => a - b)[0];
  if (postmaster !== undefined) {
    const backends = pgrep(['-x', 'postgres']);
    components.set(
      'PostgreSQL',
      backends.reduce((sum, pid) => sum + processSeconds(pid, false), 0) +
        processSeconds(postmaster, true, true),
    );
  }
  const kafka = pgrep(['-f', 'kafka.Kafka']);
  if (kafka.length > 0)
    components.set(
      'Kafka',
      kafka.reduce((sum, pid) => sum + processSeconds(pid, false), 0),
    );
  const [user, nice, system, idle, iowait, irq, softirq, steal] = (
    readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  )
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
  return {
    at: Date.now(),
    components,
    machineBusy: busy / TICKS_PER_SECOND,
    machineTotal: (busy + (idle ?? 0) + (iowait ?? 0)) / TICKS_PER_SECOND,
  };
}

export function cpuUsage(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const wallMs = after.at - before.at;
  const coresPercent: Record<string, number> = {};
  for (const [name, seconds] of after.components) {
    const used = seconds - (before.components.get(name) ?? 0);
    coresPercent[name] = Math.round((100 * used * 1000) / Math.max(wallMs, 1));
  }
  const total = after.machineTotal - before.machineTotal;
  return {
    wallMs,
    coresPercent,
    machineBusyPercent: Math.round((100 * (after.machineBusy - before.machineBusy)) / Math.max(total, 1e-9)),
    cores: cpus().length,
  };
}

/** One line: each component's share of a core, busiest first, then the whole machine. */
export function describeCpuUsage(usage: CpuUsage): string {
  const parts = Object.entries(usage.coresPercent)
    .sort(([, a], [, b]) => b - a)
    .map(([name, percent]) => `${name} ${percent}%`);
  return `CPU (% of one core): ${parts.join(', ')}; machine ${usage.machineBusyPercent}% busy of ${usage.cores} cores`;
}

/** utime + stime (and the reaped children's, for the postmaster) in seconds; 0 once the process is gone. */
function processSeconds(pid: number, withChildren: boolean, childrenOnly = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    const own = (utime ?? 0) + (stime ?? 0);
    const children = (cutime ?? 0) + (cstime ?? 0);
    return (childrenOnly ? children : withChildren ? own + children : own) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function pgrep(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
