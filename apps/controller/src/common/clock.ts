/** Time goes through a Clock so that timeouts can be tested without waiting. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol("Clock");

export const systemClock: Clock = { now: () => new Date() };
