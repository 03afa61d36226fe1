/** The machine a run happened on. */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { log } from './log.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpu;
  } catch {
    // not Linux: keep what os.cpus() said
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
  };
}

/** The machine's CPU time counters (Linux /proc/stat, all cores), in USER_HZ ticks, or null. */
function cpuTicks(): number[] | null {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return null;
  }
}

/**
 * CPU time used on the whole machine so far, in microseconds (Linux /proc/stat), or null. Time
 * the hypervisor gave to other machines (steal) is not counted: see machineStealMicros.
 */
export function machineBusyMicros(): number | null {
  const fields = cpuTicks();
  if (!fields) return null;
  const [user, nice, system, , , irq, softirq] = fields;
  // /proc/stat counts in USER_HZ ticks, 100 per second on Linux.
  return (user + nice + system + irq + softirq) * 10_000;
}

/**
 * CPU time this virtual machine wanted but the hypervisor gave to others (steal), so far, in
 * microseconds, or null: on a shared host it lengthens every tail, whatever the code does.
 */
export function machineStealMicros(): number | null {
  const steal = cpuTicks()?.[7];
  return steal === undefined ? null : steal * 10_000;
}

/**
 * Wait (at most maxMs) until the machine's other processes use less than 0.3 cores, so a run
 * does not start in the middle of someone's build. Returns the cores they used at the end.
 */
export async function waitForQuiet(maxMs: number): Promise<number | null> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const before = machineBusyMicros();
    const own = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1000));
    const after = machineBusyMicros();
    if (before === null || after === null) return null;
    const ownUsed = process.cpuUsage(own);
    const others = Math.max(0, (after - before - ownUsed.user - ownUsed.system) / 1e6);
    if (others < 0.3 || performance.now() > deadline) return others;
    log(`other processes use ${others.toFixed(2)} cores: waiting for a quieter machine`);
    await new Promise((r) => setTimeout(r, 4000));
  }
}

/**
 * CPU time used so far by the processes whose command line contains `match`, with their exited
 * children (Linux /proc), in microseconds: e.g. one Chromium profile's browser, zygotes and
 * renderers, including the renderers of closed pages (their zygote reaped them).
 */
export function processesCpuMicros(match: string): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(match)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks * 10_000;
}
