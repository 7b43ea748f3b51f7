/**
 * Time source for solvers. Solvers never read the wall clock directly: the CLI and benchmarks pass the real
 * clock, tests pass a counting clock, so a run with an iteration budget is reproducible.
 */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => performance.now() };

/** A clock that never advances: with it only iteration budgets stop a solver. */
export const frozenClock: Clock = { nowMs: () => 0 };
