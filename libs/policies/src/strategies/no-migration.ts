import { emptyPlan, type Plan } from "../model/plan";
import type { ClusterSnapshot } from "../model/snapshot";
import type { Strategy } from "./strategy";

/**
 * The two baselines of the paper that never migrate: DVFS (hosts draw power according to their load)
 * and NPA, the non-power-aware data centre; they differ in how the simulator charges energy, not in
 * what they plan.
 */
export function noMigration(name: string): Strategy {
  return { name, plan: (snapshot: ClusterSnapshot): Plan => emptyPlan(name, snapshot.timeS) };
}
