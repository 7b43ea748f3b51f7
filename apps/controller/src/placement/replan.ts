import { planReplacement, type Plan } from "@ferry/placement";
import type { ClusterSnapshot } from "./cluster-snapshot";

export interface ReplanParams {
  maxMigrations: number;
  maxMemoryMovedMiB?: number;
  timeLimitMs: number;
  seed: number;
  weights?: { traffic?: number; balance?: number; energy?: number; migration?: number };
}

/**
 * Incremental re-placement of the running cluster by the placement engine: an ordered list of moves that lowers
 * the traffic cost (sum of rate x network distance, distances from the nodes' rack and pod labels) within the
 * budget, with every intermediate placement feasible. Pure: it reads the snapshot and computes.
 */
export function replan(snapshot: ClusterSnapshot, params: ReplanParams): Plan {
  return planReplacement(
    { hosts: snapshot.hosts, vms: snapshot.vms, current: snapshot.current, traffic: snapshot.traffic },
    {
      maxMigrations: params.maxMigrations,
      maxMemoryMovedMiB: params.maxMemoryMovedMiB,
      timeLimitMs: params.timeLimitMs,
      seed: params.seed,
      weights: params.weights,
    },
  );
}
