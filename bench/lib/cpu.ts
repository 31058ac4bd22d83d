import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on every Linux the bench runs on). */
const USER_HZ = 100;

/**
 * CPU time (user + system) the process `pid` has used so far, in seconds, from /proc/PID/stat (in steps of
 * 1 / USER_HZ). An undefined pid (a child that never started) fails as a process that is gone does.
 */
export async function cpuSecondsOf(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / USER_HZ;
}

/** Runs `work` and returns its result with the CPU seconds `pid` spent meanwhile. */
export async function withCpuOf<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: number }> {
  const before = await cpuSecondsOf(pid);
  const result = await work();
  return { result, cpuSeconds: (await cpuSecondsOf(pid)) - before };
}
