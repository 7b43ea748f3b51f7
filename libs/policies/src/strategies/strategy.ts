import type { Plan } from "../model/plan";
import type { Rng } from "@ferry/random";
import type { ClusterSnapshot } from "../model/snapshot";

/**
 * A policy: reads a cluster snapshot, returns a plan. Pure: no I/O, no clock, no state kept between
 * calls (what it needs to remember, such as when a VM last moved, is in the snapshot); randomness only
 * from the injected Rng. The controller and the simulator call the same objects.
 */
export interface Strategy {
  readonly name: string;
  plan(snapshot: ClusterSnapshot, rng: Rng): Plan;
}
