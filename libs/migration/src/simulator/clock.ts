/**
 * Time for techniques and transports, in milliseconds from the start of the migration. Techniques only read
 * it; who moves it depends on the run: a real transport lets wall time pass, the simulated transport advances a
 * `SimulatedClock` when a transfer completes. So the same technique code runs against simulated or real time.
 */
export interface Clock {
  now(): number;
}

export interface SimulatedClock extends Clock {
  /**
   * Moves simulated time forward to `ms` (never backwards). An instant clock returns at once; a paced clock
   * returns a promise that resolves when wall time has caught up, so a simulated migration can be played out
   * at (a multiple of) real speed.
   */
  advanceTo(ms: number): void | Promise<void>;
}

/** Simulated time that jumps: a 16 GiB migration completes as fast as the simulator computes it. */
export function createInstantClock(startMs = 0): SimulatedClock {
  let t = startMs;
  return {
    now: () => t,
    advanceTo(ms: number) {
      if (ms > t) t = ms;
    },
  };
}

export interface PacedClockOptions {
  /** Simulated milliseconds per wall millisecond: 1 plays the migration in real time, 10 ten times faster. */
  speedup: number;
  /** Wall time in ms (default performance.now). */
  wallNow?: () => number;
  /** Waits for the given wall milliseconds (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Lag below which no wait is scheduled; keeps timer calls coarse (default 5 ms). */
  minSleepMs?: number;
}

/** Simulated time paced to the wall clock, for agents that report a simulated migration as it unfolds. */
export function createPacedClock(options: PacedClockOptions): SimulatedClock {
  if (!(options.speedup > 0)) throw new RangeError("speedup must be > 0");
  const wallNow = options.wallNow ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const minSleep = options.minSleepMs ?? 5;
  const wallStart = wallNow();
  let t = 0;
  return {
    now: () => t,
    advanceTo(ms: number) {
      if (ms > t) t = ms;
      const lag = wallStart + t / options.speedup - wallNow();
      return lag >= minSleep ? sleep(lag) : undefined;
    },
  };
}
