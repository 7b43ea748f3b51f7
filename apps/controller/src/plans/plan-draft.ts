import type { PlanKind } from "./plan-kinds";

/**
 * Why a plan exists, in the operator's terms: which metric crossed which threshold, over which window. A
 * policy fills in what applies; `summary` is always there.
 */
export interface PlanReason {
  summary: string;
  metric?: string;
  threshold?: number;
  observed?: number;
  windowS?: number;
  [detail: string]: unknown;
}

export interface RejectedTarget {
  nodeId: string;
  reason: string;
}

export interface DraftMove {
  vmId: string;
  fromNodeId: string;
  toNodeId: string;
  /** Why this VM moves. */
  reason: string;
  /** What the move gains, in the plan's cost units (0 when the move repairs rather than optimises). */
  gain: number;
  rejected?: RejectedTarget[];
  /** The operator's bandwidth cap for the move (Mbit/s). */
  bandwidthMbps?: number;
}

/** A VM the plan needed to move but could not, and why (no room, no technique within its SLA...). */
export interface BlockedVm {
  vmId: string;
  reason: string;
}

/**
 * What every producer of plans returns (each policy, a drain, an operator's request): data only. The plans
 * service prices each move, orders it, stores it and shows it; nothing moves until the plan is applied.
 */
export interface PlanDraft {
  kind: PlanKind;
  reason: PlanReason;
  moves: DraftMove[];
  blocked?: BlockedVm[];
  costBefore: number;
  costAfter: number;
  /** What the solver or strategy reports (seed, time, per-host findings). */
  explanation?: Record<string, unknown>;
  params?: Record<string, unknown>;
  /** Nodes the plan concerns even where no VM lands (the node being drained). */
  nodeIds?: string[];
}
