import type { Clock } from "@ferry/placement";

/**
 * CPU time of this process (user + system), as a Clock. The benchmarks budget solvers with it because the
 * machine they run on is shared: under contention a wall-clock budget would measure other people's jobs. On an
 * idle core it advances like the wall clock.
 */
export const cpuClock: Clock = {
  nowMs: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};
