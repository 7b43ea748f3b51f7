import type { Assignment } from "../model/assignment";

/**
 * A hard constraint on where a unit (a VM, or an affinity group contracted into one) may be. Filters are pure:
 * the answer depends only on the assignment passed in. Solvers call `admits` in their inner loops, so it must be
 * cheap and allocation-free; `reason` is called only for explanations, after `admits` said no.
 *
 * `admits(a, u, h)` is asked with u's own presence already counted if u is on h (so "may u stay on h?" and
 * "may u move to h?" are the same question).
 */
export interface Filter {
  readonly name: string;
  admits(a: Assignment, u: number, h: number): boolean;
  reason(a: Assignment, u: number, h: number): string;
}

/** Plugin names: the registry, explanations and the API all use these constants. */
export const FILTER_NAMES = {
  hostState: "host-state",
  hypervisor: "hypervisor",
  capacity: "capacity",
  affinity: "affinity",
  antiAffinity: "anti-affinity",
} as const;
