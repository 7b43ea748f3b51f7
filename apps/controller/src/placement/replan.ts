import { planReplacement, type Plan } from "@ferry/placement";
import type { PlanDraft, PlanReason } from "../plans/plan-draft";
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

/** A computed re-placement as a plan draft, for an operator's request or the traffic policy alike. */
export function trafficDraft(computed: Plan, reason: PlanReason, params: Record<string, unknown>): PlanDraft {
  return {
    kind: "traffic",
    reason,
    moves: computed.moves.map((m) => ({
      vmId: m.vmId,
      fromNodeId: m.fromHostId,
      toNodeId: m.toHostId,
      reason: `brings it nearer its peers (traffic cost -${Math.round(m.gain)})`,
      gain: m.gain,
    })),
    costBefore: computed.costBefore,
    costAfter: computed.costAfter,
    params,
    explanation: {
      objective: "sum over VM pairs of traffic (Mbit/s) x network distance (0 same node, 1 same rack, 3 same pod, 5 otherwise)",
      stoppedBecause: computed.stoppedBecause,
      seed: computed.seed,
      elapsedMs: computed.elapsedMs,
      objectiveBefore: computed.objectiveBefore,
      objectiveAfter: computed.objectiveAfter,
      memoryMovedMiB: computed.memoryMovedMiB,
      budget: computed.budget,
    },
  };
}
